/** The Bot Framework authentication settings of the bot registration (all empty in local mode). */
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config';

export function botFrameworkAuthenticationOptions(
  config: Config,
): ConfigurationBotFrameworkAuthenticationOptions {
  if (config.bot.mode === 'local') {
    return { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: '', MicrosoftAppTenantId: '' };
  }
  return {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.password ?? '',
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
    ...(config.bot.openIdMetadataUrl === undefined
      ? {}
      : { ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl }),
    ...(config.bot.tokenIssuer === undefined ? {} : { ToBotFromChannelTokenIssuer: config.bot.tokenIssuer }),
  };
}
