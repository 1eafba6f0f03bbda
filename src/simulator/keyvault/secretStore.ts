/** The simulated vault's contents and who may use them (its data-plane role assignments). */

/** One version of a secret, as the simulated vault holds it. */
export interface KeyVaultSecretVersion {
  /** The name as sent when this version was set (Key Vault names are case-insensitive). */
  name: string;
  /** 32 lower-case hex digits. */
  version: string;
  /** The secret itself: tests read it through `keyVaultSecrets()`; the simulator never logs it. */
  value: string;
  contentType?: string;
  tags: Record<string, string>;
  enabled: boolean;
  /** Unix seconds, as Key Vault's `attributes` carry them. */
  exp?: number;
  nbf?: number;
  created: number;
  updated: number;
  /** The app (`appid` of the bearer token) that set this version. */
  setBy: string;
}

/** Every version of every secret, in the order they were set. */
export class SecretStore {
  private readonly versions: KeyVaultSecretVersion[] = [];
  /** Called after every change (the state file keeps the vault). */
  onChange: (() => void) | undefined;

  add(version: KeyVaultSecretVersion): void {
    this.versions.push(copy(version));
    this.onChange?.();
  }

  /** Puts back the versions kept from an earlier run (before any request is served). */
  restore(versions: readonly KeyVaultSecretVersion[]): void {
    this.versions.splice(0, this.versions.length, ...versions.map(copy));
  }

  /** The current (latest) version of `name`, or one given version of it. */
  find(name: string, version?: string): KeyVaultSecretVersion | undefined {
    const matches = this.versions.filter((item) => item.name.toLowerCase() === name.toLowerCase());
    const found =
      version === undefined
        ? matches[matches.length - 1]
        : matches.find((item) => item.version === version.toLowerCase());
    return found === undefined ? undefined : copy(found);
  }

  all(): KeyVaultSecretVersion[] {
    return this.versions.map(copy);
  }
}

function copy(version: KeyVaultSecretVersion): KeyVaultSecretVersion {
  return { ...version, tags: { ...version.tags } };
}

/** Built-in Azure roles that reach secrets on the data plane of a vault using Azure RBAC. */
export type KeyVaultRole = 'Key Vault Secrets Officer' | 'Key Vault Secrets User';

export type SecretAction = 'setSecret' | 'getSecret';

const ROLE_ACTIONS: Record<KeyVaultRole, readonly SecretAction[]> = {
  'Key Vault Secrets Officer': ['setSecret', 'getSecret'],
  'Key Vault Secrets User': ['getSecret'],
};

/** Role assignments on the simulated vault, by app id. */
export class VaultAccess {
  private readonly roles = new Map<string, KeyVaultRole>();

  assign(appId: string, role: KeyVaultRole | undefined): void {
    if (role === undefined) this.roles.delete(appId.toLowerCase());
    else this.roles.set(appId.toLowerCase(), role);
  }

  allows(appId: string, action: SecretAction): boolean {
    const role = this.roles.get(appId.toLowerCase());
    return role !== undefined && ROLE_ACTIONS[role].includes(action);
  }
}
