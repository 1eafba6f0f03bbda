/** The simulator's own request/response shapes, shared by the HTTP server and `$batch` sub-requests. */
export type Api = 'graph' | 'exchange' | 'token' | 'keyvault';

export type BodyProblem = 'too-large' | 'invalid-json';

export interface SimRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Decoded path without the query, e.g. `/v1.0/users/alexw@contoso.com`. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed body: JSON for Graph, Exchange and Key Vault, form fields (string record) for the token endpoint. */
  body: unknown;
  bodyProblem?: BodyProblem;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialised as JSON; absent for empty responses such as 204. */
  body?: unknown;
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): SimResponse {
  return { status, headers };
}

/** A header value, looked up case-insensitively in a lower-case map. */
export function header(request: SimRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}
