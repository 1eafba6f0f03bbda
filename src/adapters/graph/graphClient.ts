/**
 * The Microsoft Graph client as the bot uses it: the configured endpoint (national clouds, the
 * simulator), a bearer token from the configured credential, a `client-request-id` on every call,
 * and no built-in retries — `withRetries` decides those, so every round trip is visible. The round
 * trip's status and host are added to the call's span (graphRequests.ts). At `LOG_LEVEL=debug` each
 * round trip is one line: method, path (the query's names, not its values), status, duration, attempt
 * and Graph's request ids — never a header's value or a body, so a password PATCH shows its path only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { TokenCredential } from '@azure/core-auth';
import { Client, type Context, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../../logger';
import { annotateActiveSpan } from '../../telemetry/tracing';

/** The call a round trip belongs to (graphRequests.ts): its operation template and attempt number. */
export interface GraphAttempt {
  operation: string;
  attempt: number;
}

const currentAttempt = new AsyncLocalStorage<GraphAttempt>();

/** Runs one attempt of a call, so the transport's debug line names the operation and attempt. */
export function inGraphAttempt<T>(attempt: GraphAttempt, run: () => Promise<T>): Promise<T> {
  return currentAttempt.run(attempt, run);
}

function requestMethod(context: Context): string {
  const request = context.request as { method?: unknown };
  const method = context.options?.method ?? (typeof request === 'string' ? undefined : request.method);
  return typeof method === 'string' ? method.toUpperCase() : 'GET';
}

/** Why a round trip got no answer, without the query's values should the reason quote the URL. */
function withoutQuery(failure: unknown, url: URL): string {
  const reason = failure instanceof Error ? failure.message : String(failure);
  return url.search === '' ? reason : reason.split(url.search).join('?…');
}

/** The debug line of one round trip; the query's names only (`$filter`, `$select`), never its values. */
function roundTripFields(
  context: Context,
  url: URL,
  durationMs: number,
  failure: unknown,
): Record<string, unknown> {
  const response = context.response;
  const names = [...new Set(url.searchParams.keys())];
  const call = currentAttempt.getStore();
  return {
    operation: call?.operation,
    attempt: call?.attempt,
    method: requestMethod(context),
    path: url.pathname,
    ...(names.length === 0 ? {} : { query: names.join(',') }),
    status: response?.status,
    durationMs,
    requestId: response?.headers.get('request-id') ?? undefined,
    clientRequestId: response?.headers.get('client-request-id') ?? undefined,
    ...(failure === undefined ? {} : { failure: withoutQuery(failure, url) }),
  };
}

/** Sets one request header, whatever shape the client gave the headers. */
function setHeader(context: Context, name: string, value: string): void {
  context.options ??= {};
  const headers = context.options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else context.options.headers = { ...(headers as Record<string, string> | undefined), [name]: value };
}

function requestUrl(request: unknown): string {
  return typeof request === 'string' ? request : String((request as { url?: unknown }).url);
}

/** Attaches a bearer token, only for the configured Graph origin, and a fresh client-request-id. */
class BearerAndRequestIdHandler implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly origin: string,
    private readonly logger?: Logger,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = new URL(requestUrl(context.request));
    if (url.origin === this.origin) {
      const token = await this.credential.getToken(this.scope);
      if (token === null) throw new Error('The credential returned no token for Microsoft Graph');
      setHeader(context, 'Authorization', `Bearer ${token.token}`);
    }
    setHeader(context, 'client-request-id', randomUUID());
    if (this.next === undefined) throw new Error('Graph middleware chain has no transport');
    if (this.logger?.enabled('debug') === true) await this.sendLogged(this.next, context, url, this.logger);
    else await this.next.execute(context);
    annotateActiveSpan({
      'server.address': url.hostname,
      ...(context.response === undefined ? {} : { 'http.response.status_code': context.response.status }),
    });
  }

  private async sendLogged(next: Middleware, context: Context, url: URL, logger: Logger): Promise<void> {
    const started = performance.now();
    let failure: unknown;
    try {
      await next.execute(context);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      logger.debug('Microsoft Graph round trip', roundTripFields(context, url, durationMs, failure));
    }
  }
}

export function graphScope(graphEndpoint: string): string {
  return `${new URL(graphEndpoint).origin}/.default`;
}

export function createGraphClient(
  credential: TokenCredential,
  graphEndpoint: string,
  logger?: Logger,
): Client {
  const origin = new URL(graphEndpoint).origin;
  const auth = new BearerAndRequestIdHandler(credential, graphScope(graphEndpoint), origin, logger);
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: graphEndpoint.replace(/\/+$/, ''),
    customHosts: new Set([new URL(graphEndpoint).host]),
    defaultVersion: 'v1.0',
  });
}
