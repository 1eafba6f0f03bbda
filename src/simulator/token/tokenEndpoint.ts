import type { CallLog } from '../callLog';
import type { SimulatorClock } from '../clock';
import type { FaultInjector } from '../faults/faultInjector';
import { isRecord } from '../http/jsonValue';
import { header, jsonResponse, type SimRequest, type SimResponse } from '../http/simMessages';
import { sleep } from '../http/sleep';
import { queryText } from '../http/requestTarget';
import type { TenantState } from '../state/tenantState';
import { aad, AadError, aadErrorResponse } from './aadErrors';
import { verifyClientAssertion } from './clientAssertion';
import { secretMatches, type ClientRegistry } from './clientRegistry';
import { TOKEN_LIFETIME_SECONDS, type TokenService } from './tokenService';

export interface TokenEndpointDeps {
  state: TenantState;
  clients: ClientRegistry;
  tokens: TokenService;
  faults: FaultInjector;
  log: CallLog;
  clock: SimulatorClock;
  baseUrl: () => string;
  signal: AbortSignal;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/** The Entra ID endpoints MSAL uses for client credentials: OpenID metadata, JWKS, and `/token`. */
export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  async handle(request: SimRequest): Promise<SimResponse> {
    const { deps } = this;
    const started = Date.now();
    const seq = deps.log.reserve();
    const time = deps.clock.iso();
    const correlationId = header(request, 'client-request-id');
    let response: SimResponse;
    const fault = deps.faults.take({ api: 'token', method: request.method, path: request.path });
    if (fault !== undefined) await sleep(fault.delayMs, deps.signal);
    if (fault?.status !== undefined) {
      const err = new AadError(
        fault.status,
        'temporarily_unavailable',
        90033,
        'A transient error has occurred. Please try again.',
      );
      response = aadErrorResponse(err, deps.baseUrl(), correlationId, new Date(deps.clock.now()));
      if (fault.retryAfterSeconds !== undefined)
        response.headers['Retry-After'] = String(fault.retryAfterSeconds);
    } else {
      try {
        response = this.route(request);
      } catch (err) {
        if (!(err instanceof AadError)) throw err;
        response = aadErrorResponse(err, deps.baseUrl(), correlationId, new Date(deps.clock.now()));
      }
    }
    if (correlationId !== undefined) response.headers['client-request-id'] = correlationId;
    deps.log.record(seq, {
      api: 'token',
      method: request.method,
      path: request.path,
      query: queryText(request.query),
      status: response.status,
      time,
      durationMs: Date.now() - started,
      mutating: false,
      committed: false,
      viaBatch: false,
      fault: fault?.label,
      clientRequestId: correlationId,
    });
    return response;
  }

  private route(request: SimRequest): SimResponse {
    const segments = request.path.split('/').filter((segment) => segment !== '');
    const [tenant, ...rest] = segments;
    const tail = rest.join('/');
    if (request.method === 'GET' && tail === 'discovery/instance') return this.instanceDiscovery(tenant);
    if (request.method === 'GET' && (tail === 'discovery/v2.0/keys' || tail === 'discovery/keys')) {
      return jsonResponse(200, this.deps.tokens.jwks());
    }
    if (
      request.method === 'GET' &&
      (tail === 'v2.0/.well-known/openid-configuration' || tail === '.well-known/openid-configuration')
    ) {
      this.requireTenant(tenant);
      return jsonResponse(200, this.openIdConfiguration());
    }
    if (request.method === 'POST' && tail === 'oauth2/v2.0/token') return this.token(tenant, request);
    return jsonResponse(404, {
      error: 'not_found',
      error_description: `No Entra ID endpoint at ${request.path}`,
    });
  }

  private requireTenant(tenant: string | undefined): void {
    if (tenant === undefined || !this.deps.state.isTenantName(tenant)) throw aad.tenantNotFound(tenant ?? '');
  }

  private instanceDiscovery(tenant: string | undefined): SimResponse {
    const host = new URL(this.deps.baseUrl()).host;
    return jsonResponse(200, {
      tenant_discovery_endpoint: `${this.deps.baseUrl()}/${tenant ?? 'common'}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private openIdConfiguration(): Record<string, unknown> {
    const base = `${this.deps.baseUrl()}/${this.deps.state.tenantId}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.deps.baseUrl()}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'roles'],
      tenant_region_scope: 'NA',
      cloud_instance_name: new URL(this.deps.baseUrl()).host,
    };
  }

  private token(tenant: string | undefined, request: SimRequest): SimResponse {
    const form: Record<string, unknown> = isRecord(request.body) ? request.body : {};
    const field = (name: string): string | undefined => {
      const value = form[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const grantType = field('grant_type');
    if (grantType === undefined) throw aad.missingParameter('grant_type');
    if (grantType !== 'client_credentials') throw aad.unsupportedGrant(grantType);
    const clientId = field('client_id');
    if (clientId === undefined) throw aad.missingParameter('client_id');
    this.requireTenant(tenant);
    const scope = field('scope');
    if (scope === undefined) throw aad.missingParameter('scope');
    const client = this.deps.clients.get(clientId);
    if (client === undefined) throw aad.unknownClient(clientId, this.deps.state.tenantId);

    const secret = field('client_secret');
    const assertion = field('client_assertion');
    if (secret !== undefined) {
      if (!secretMatches(client, secret)) throw aad.invalidSecret(clientId);
    } else if (assertion !== undefined) {
      if (field('client_assertion_type') !== ASSERTION_TYPE) throw aad.badAssertionType();
      const base = this.deps.baseUrl();
      const audiences = [tenant ?? '', this.deps.state.tenantId].flatMap((name) => [
        `${base}/${name}/oauth2/v2.0/token`,
        `${base}/${name}/oauth2/token`,
      ]);
      verifyClientAssertion(client, assertion, audiences, Math.floor(this.deps.clock.now() / 1000));
    } else {
      throw aad.noCredential();
    }

    const scopes = scope.split(/\s+/).filter((item) => item !== '' && !OIDC_SCOPES.has(item.toLowerCase()));
    if (scopes.length !== 1 || !scopes[0].toLowerCase().endsWith('/.default')) throw aad.invalidScope(scope);
    const resourceUri = scopes[0].slice(0, -'/.default'.length);
    const resource = this.deps.tokens.resourceOf(resourceUri);
    if (resource === undefined) throw aad.unknownResource(resourceUri, this.deps.state.tenantId);
    // Key Vault's data plane grants access on the vault (RBAC, access policies), not in the token.
    const roles =
      resource === 'graph'
        ? client.graphRoles
        : resource === 'exchange'
          ? client.exchangeRoles
          : resource === 'keyvault'
            ? []
            : [...client.graphRoles, ...client.exchangeRoles];
    const accessToken = this.deps.tokens.issue({
      resource,
      appId: client.clientId,
      roles,
      viaCertificate: secret === undefined,
    });
    return jsonResponse(
      200,
      {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        ext_expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: accessToken,
      },
      { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    );
  }
}
