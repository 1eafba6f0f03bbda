/**
 * The credential the bot uses for Graph and Exchange Online: a client secret, a certificate or a
 * managed identity in a live tenant (from `@azure/identity`), or the simulator's own small credential.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AzureAuthorityHosts,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { AppError } from '../domain/errors';

const KNOWN_AUTHORITY_HOSTS = new Set(
  Object.values(AzureAuthorityHosts).map((host) => new URL(host).host.toLowerCase()),
);

/** MSAL validates an authority it does not know against the public cloud: skip that for others. */
export function needsInstanceDiscoveryDisabled(authorityHost: string): boolean {
  return !KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).host.toLowerCase());
}

/** The app's own credential in Entra ID: a client secret, a certificate or a managed identity. */
export type AppCredential =
  | { kind: 'secret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string }
  /** System-assigned when `clientId` is absent, user-assigned otherwise. */
  | { kind: 'managedIdentity'; clientId?: string };

/** Where and as what the app signs in to a live tenant. */
export interface LiveCredentialOptions {
  tenantId: string;
  authorityHost: string;
  credential: AppCredential;
}

export function createLiveCredential(tenant: LiveCredentialOptions): TokenCredential {
  const options = {
    authorityHost: tenant.authorityHost,
    disableInstanceDiscovery: needsInstanceDiscoveryDisabled(tenant.authorityHost),
  };
  const credential = tenant.credential;
  switch (credential.kind) {
    case 'secret':
      return new ClientSecretCredential(
        tenant.tenantId,
        credential.clientId,
        credential.clientSecret,
        options,
      );
    case 'certificate':
      return new ClientCertificateCredential(
        tenant.tenantId,
        credential.clientId,
        { certificatePath: credential.certificatePath },
        options,
      );
    case 'managedIdentity':
      return credential.clientId === undefined
        ? new ManagedIdentityCredential()
        : new ManagedIdentityCredential({ clientId: credential.clientId });
  }
}

/**
 * Client-credentials flow against the tenant simulator's token endpoint (plain http on loopback, which
 * MSAL refuses). Caches each scope's token until a minute before it expires.
 */
export class SimulatorCredential implements TokenCredential {
  private readonly cache = new Map<string, AccessToken>();

  constructor(
    private readonly authorityHost: string,
    private readonly tenantId: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    const cached = this.cache.get(scope);
    if (cached !== undefined && cached.expiresOnTimestamp - 60_000 > Date.now()) return cached;
    const url = `${this.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(this.tenantId)}/oauth2/v2.0/token`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.clientId,
        client_secret: this.clientSecret,
        scope,
      }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new AppError('Unauthorized', 'The simulated tenant refused the bot’s credential.', {
        details: {
          status: response.status,
          serviceCode: typeof body.error === 'string' ? body.error : undefined,
        },
      });
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 3600;
    const token = { token: body.access_token, expiresOnTimestamp: Date.now() + expiresIn * 1000 };
    this.cache.set(scope, token);
    return token;
  }
}
