/** How the bot authenticates to the Bot Framework / Teams channel: `BOT_ID`, `BOT_TYPE` and the rest. */
import { GUID, type SettingsReader } from './reader';

export type BotType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';

export type BotAuth =
  /** No `BOT_ID`: authentication off, loopback only. For the Agents Playground and tests. */
  | { mode: 'local' }
  | {
      mode: 'authenticated';
      appId: string;
      appType: BotType;
      /** Required for SingleTenant and UserAssignedMsi. */
      tenantId?: string;
      /** Client secret of the bot's app registration (absent for UserAssignedMsi). */
      password?: string;
      /** Where the signing keys of Teams' tokens are published (Bot Framework's, unless overridden). */
      openIdMetadataUrl?: string;
      /** The issuer Teams' tokens must carry (Bot Framework's, unless overridden). */
      tokenIssuer?: string;
    };

const BOT_TYPES: readonly BotType[] = ['MultiTenant', 'SingleTenant', 'UserAssignedMsi'];

/** The bot registration, and the interface to listen on (127.0.0.1 in local mode). */
export function readBotAuth(r: SettingsReader): { bot: BotAuth; host: string } {
  const botId = r.read('BOT_ID');
  const botType = r.oneOf('BOT_TYPE', BOT_TYPES, 'SingleTenant');
  const botPassword = r.read('BOT_PASSWORD') ?? r.read('SECRET_BOT_PASSWORD');
  const botTenantId = r.tenantId('BOT_TENANT_ID', r.read('BOT_TENANT_ID'));
  let bot: BotAuth = { mode: 'local' };
  if (botId !== undefined) {
    if (!GUID.test(botId))
      r.problem(`BOT_ID: must be the bot registration's app id, a GUID (got "${botId}")`);
    if (botType !== 'UserAssignedMsi' && botPassword === undefined) {
      r.problem(`BOT_PASSWORD: required with BOT_ID for BOT_TYPE=${botType} (or set SECRET_BOT_PASSWORD)`);
    }
    if (botType !== 'MultiTenant' && botTenantId === undefined) {
      r.problem(`BOT_TENANT_ID: required with BOT_ID for BOT_TYPE=${botType}`);
    }
    const openIdMetadataUrl = r.read('BOT_OPENID_METADATA_URL');
    if (openIdMetadataUrl !== undefined) r.url('BOT_OPENID_METADATA_URL', openIdMetadataUrl);
    bot = {
      mode: 'authenticated',
      appId: botId,
      appType: botType,
      tenantId: botTenantId,
      password: botPassword,
      openIdMetadataUrl,
      tokenIssuer: r.read('BOT_TOKEN_ISSUER'),
    };
  } else if (botPassword !== undefined) {
    r.problem('BOT_ID: required when BOT_PASSWORD or SECRET_BOT_PASSWORD is set');
  }
  const host = bot.mode === 'local' ? '127.0.0.1' : (r.read('BIND_ADDRESS') ?? '0.0.0.0');
  return { bot, host };
}
