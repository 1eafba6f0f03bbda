/**
 * Plain-HTTP helpers for the simulator tests: start a simulator (HTTP, tiny delays), get tokens from its
 * token endpoint, call Graph and Exchange with `fetch` exactly as a client would.
 */
import { startTenantSimulator, type TenantSimulator, type TenantSimulatorOptions } from '../../src/simulator';

export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';

export const FAST_DELAYS = { exchangeRecipientMs: 150, mailboxMs: 300, replicationMs: 450 };

export function startSimulator(options: Partial<TenantSimulatorOptions> = {}): Promise<TenantSimulator> {
  return startTenantSimulator({ tenantId: TENANT_ID, scenario: 'classic', delays: FAST_DELAYS, ...options });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the wire, asserted on by tests
}

export async function request(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** A token from the simulator's token endpoint for `resource` (e.g. https://graph.microsoft.com). */
export async function tokenFor(
  sim: TenantSimulator,
  resource: string,
  credential: { clientId: string; clientSecret: string } = sim.clientCredential,
): Promise<string> {
  const result = await request(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: `${resource}/.default`,
    }).toString(),
  });
  if (result.status !== 200) throw new Error(`token request failed: ${JSON.stringify(result.body)}`);
  return result.body.access_token as string;
}

/** Calls Graph with a bearer token (`/v1.0` is prefixed unless the path starts with a version). */
export async function graph(
  sim: TenantSimulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const full = /^\/(v1\.0|beta)\//.test(path) ? path : `/v1.0${path}`;
  return request(`${sim.graphEndpoint}${full}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Runs one Exchange cmdlet through InvokeCommand (pass `url` to follow an `@odata.nextLink`). */
export async function exchange(
  sim: TenantSimulator,
  token: string,
  cmdlet: string,
  parameters: Record<string, unknown> = {},
  options: { url?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return request(options.url ?? `${sim.exchangeEndpoint}/adminapi/beta/${sim.tenantId}/InvokeCommand`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'X-AnchorMailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${sim.tenantId}`,
      ...options.headers,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A valid new-user body for POST /users. */
export function newUserBody(alias: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountEnabled: true,
    displayName: `Service ${alias}`,
    mailNickname: alias,
    userPrincipalName: `${alias}@contoso.com`,
    passwordProfile: { password: 'Xq7!vR2#mK9@wL4$', forceChangePasswordNextSignIn: false },
    passwordPolicies: 'DisablePasswordExpiration',
    usageLocation: 'US',
    ...overrides,
  };
}

/**
 * The text of an Exchange cmdlet error, as `details[0].message` carries it after
 * `ErrorId|ExceptionType|` (an Exchange task's internal exception is only a generic wrapper).
 */
export function exchangeErrorText(body: { error: { details: { message: string }[] } }): string {
  return body.error.details[0].message.split('|').slice(2).join('|');
}
