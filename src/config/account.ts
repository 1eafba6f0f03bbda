/**
 * What becomes of the service account once it is made: where its password is handed over (Azure Key
 * Vault, or the Reveal button) and the role it is downgraded to from Global Administrator.
 */
import { GUID, type SettingsReader } from './reader';

/** Hand the password over in Azure Key Vault instead of the Reveal button. */
export interface KeyVaultSettings {
  /** The vault's URL, or `simulator` for the simulated tenant's vault. */
  url: string;
  secretExpiryMs: number;
}

/** Role template ids (the same in every tenant) of the named downgrade roles. */
export const DOWNGRADE_ROLES: Readonly<Record<string, string>> = {
  ServiceSupportAdministrator: 'f023fd81-a637-4b56-95fd-791ac0226033',
  ExchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
};
const GLOBAL_ADMINISTRATOR_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';

export function readKeyVault(r: SettingsReader, simulated: boolean): KeyVaultSettings | undefined {
  const keyVaultRaw = r.read('KEY_VAULT_URL');
  const secretExpiryMs = r.number('KEY_VAULT_SECRET_EXPIRY_DAYS', 7, 0.01, 365, false) * 86_400_000;
  if (keyVaultRaw === 'simulator') {
    if (!simulated) r.problem('KEY_VAULT_URL: "simulator" is only possible with TENANT_MODE=simulated');
    return { url: 'simulator', secretExpiryMs };
  }
  if (keyVaultRaw === undefined) return undefined;
  return { url: r.url('KEY_VAULT_URL', keyVaultRaw), secretExpiryMs };
}

/** The directory role template id the account is downgraded to after CiraSync's first sign-in. */
export function readDowngradeRole(r: SettingsReader): string {
  const downgradeRaw = r.read('DOWNGRADE_ROLE') ?? 'ServiceSupportAdministrator';
  const named = Object.entries(DOWNGRADE_ROLES).find(
    ([name]) => name.toLowerCase() === downgradeRaw.toLowerCase(),
  );
  const downgradeRoleId = named?.[1] ?? downgradeRaw.toLowerCase();
  if (named === undefined && !GUID.test(downgradeRaw)) {
    r.problem(
      `DOWNGRADE_ROLE: must be ${Object.keys(DOWNGRADE_ROLES).join(', ')} or a role template id (got "${downgradeRaw}")`,
    );
  } else if (downgradeRoleId === GLOBAL_ADMINISTRATOR_TEMPLATE_ID) {
    r.problem('DOWNGRADE_ROLE: must be a role other than Global Administrator');
  }
  return downgradeRoleId;
}
