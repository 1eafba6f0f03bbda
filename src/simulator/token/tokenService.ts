import { createHash, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import type { SimulatorClock } from '../clock';
import { isStringArray } from '../http/jsonValue';
import { decodeJwt, numberClaim, signJwtRs256, verifyJwtSignature } from './jwt';

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const EXCHANGE_RESOURCE = 'https://outlook.office365.com';
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const KEY_VAULT_APP_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';

/** Which protected API a token is for; `simulator` = the simulator's own URL, which serves all. */
export type TokenResource = 'graph' | 'exchange' | 'keyvault' | 'simulator';

export type TokenRejection = 'missing' | 'malformed' | 'signature' | 'expired' | 'audience' | 'tenant';

export type TokenCheck = { ok: true; appId: string; roles: string[] } | { ok: false; reason: TokenRejection };

export interface SigningKeys {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A fresh RSA key pair for signing access tokens (generated off the main thread). */
export function createSigningKeys(): Promise<SigningKeys> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err !== null) reject(err);
      else resolve({ publicKey, privateKey });
    });
  });
}

/** The `app_displayname` of the simulator's tokens, and its apps' enterprise-application name. */
export const SIMULATED_APP_DISPLAY_NAME = 'Simulated app';

/** Access-token lifetime, as Entra gives for app tokens. */
export const TOKEN_LIFETIME_SECONDS = 3599;
const CLOCK_SKEW_SECONDS = 300;

/**
 * Issues and checks the simulator's access tokens: JWTs signed RS256 with a key made at start-up,
 * published at the JWKS endpoint, carrying the app's `roles`.
 */
export class TokenService {
  readonly kid: string;

  constructor(
    private readonly keys: SigningKeys,
    private readonly tenantId: string,
    private readonly clock: SimulatorClock,
    private readonly baseUrl: () => string,
  ) {
    const der = this.keys.publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha1').update(der).digest('base64url');
  }

  get issuer(): string {
    return `https://sts.windows.net/${this.tenantId}/`;
  }

  /** The resource a scope's URI names, or undefined when the simulator does not host it. */
  resourceOf(resourceUri: string): TokenResource | undefined {
    const uri = resourceUri.replace(/\/+$/, '').toLowerCase();
    if (uri === GRAPH_RESOURCE || uri === GRAPH_APP_ID) return 'graph';
    if (uri === EXCHANGE_RESOURCE || uri === EXCHANGE_APP_ID) return 'exchange';
    if (uri === KEY_VAULT_RESOURCE || uri === KEY_VAULT_APP_ID) return 'keyvault';
    if (uri === this.baseUrl().toLowerCase()) return 'simulator';
    return undefined;
  }

  jwks(): { keys: Array<Record<string, unknown>> } {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return {
      keys: [
        { kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, issuer: this.issuer },
      ],
    };
  }

  issue(params: {
    resource: TokenResource;
    appId: string;
    roles: string[];
    viaCertificate: boolean;
  }): string {
    const now = Math.floor(this.clock.now() / 1000);
    const audience =
      params.resource === 'graph'
        ? GRAPH_RESOURCE
        : params.resource === 'exchange'
          ? EXCHANGE_RESOURCE
          : params.resource === 'keyvault'
            ? KEY_VAULT_RESOURCE
            : this.baseUrl();
    const servicePrincipalId = guidFrom(`sp:${params.appId}`);
    return signJwtRs256(
      { typ: 'JWT', kid: this.kid, x5t: this.kid },
      {
        aud: audience,
        iss: this.issuer,
        iat: now,
        nbf: now,
        exp: now + TOKEN_LIFETIME_SECONDS,
        aio: randomUUID(),
        app_displayname: SIMULATED_APP_DISPLAY_NAME,
        appid: params.appId,
        appidacr: params.viaCertificate ? '2' : '1',
        idp: this.issuer,
        idtyp: 'app',
        oid: servicePrincipalId,
        roles: params.roles,
        sub: servicePrincipalId,
        tid: this.tenantId,
        uti: randomUUID().replace(/-/g, ''),
        ver: '1.0',
      },
      this.keys.privateKey,
    );
  }

  /** Checks an `Authorization` header for a call to `api`. */
  check(authorization: string | undefined, api: Exclude<TokenResource, 'simulator'>): TokenCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match === null) return { ok: false, reason: 'missing' };
    const jwt = decodeJwt(match[1]);
    if (jwt === undefined) return { ok: false, reason: 'malformed' };
    if (jwt.header.kid !== this.kid || !verifyJwtSignature(jwt, this.keys.publicKey)) {
      return { ok: false, reason: 'signature' };
    }
    const now = this.clock.now() / 1000;
    const exp = numberClaim(jwt.payload, 'exp') ?? 0;
    const nbf = numberClaim(jwt.payload, 'nbf') ?? 0;
    if (now >= exp || now + CLOCK_SKEW_SECONDS < nbf) return { ok: false, reason: 'expired' };
    const aud = typeof jwt.payload.aud === 'string' ? this.resourceOf(jwt.payload.aud) : undefined;
    if (aud === undefined || (aud !== 'simulator' && aud !== api)) return { ok: false, reason: 'audience' };
    if (jwt.payload.tid !== this.tenantId) return { ok: false, reason: 'tenant' };
    const roles = isStringArray(jwt.payload.roles) ? jwt.payload.roles : [];
    const appId = typeof jwt.payload.appid === 'string' ? jwt.payload.appid : '';
    return { ok: true, appId, roles };
  }
}

/** A stable GUID derived from text. */
export function guidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
