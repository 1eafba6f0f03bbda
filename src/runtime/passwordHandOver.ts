/** The Key Vault the password goes to, when one is configured (the simulator's in simulated mode). */
import type { Config } from '../config';
import { KeyVaultHandOver } from '../adapters/secrets/keyVaultHandOver';
import type { PasswordHandOver } from '../domain/workPorts';
import type { Logger } from '../logger';
import type { ConnectedTenant } from './tenant';

export function keyVaultHandOver(
  config: Config,
  tenant: ConnectedTenant,
  logger?: Logger,
): PasswordHandOver | undefined {
  if (config.keyVault === undefined) return undefined;
  const simulated = config.keyVault.url === 'simulator';
  const vaultUrl = simulated ? (tenant.simulator?.keyVaultUrl ?? '') : config.keyVault.url;
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(vaultUrl);
  const vault = new KeyVaultHandOver({
    vaultUrl,
    credential: tenant.credential,
    disableChallengeResourceVerification: simulated || loopback,
    allowInsecureConnection: loopback,
    logger,
  });
  return {
    vaultUrl,
    secretExpiryMs: config.keyVault.secretExpiryMs,
    store: (input) => vault.store(input),
    secretName: (upn, requestId) => KeyVaultHandOver.secretName(upn, requestId),
  };
}
