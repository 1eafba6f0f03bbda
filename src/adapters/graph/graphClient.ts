/**
 * The Microsoft Graph client as the bot uses it: the configured endpoint (national clouds, the
 * simulator), a bearer token from the configured credential, a `client-request-id` on every call,
 * and no built-in retries — `withRetries` decides those, so every round trip is visible. The round
 * trip's status and host are added to the call's span (graphRequests.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { Client, type Context, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import { annotateActiveSpan } from '../../telemetry/tracing';

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
    await this.next.execute(context);
    annotateActiveSpan({
      'server.address': url.hostname,
      ...(context.response === undefined ? {} : { 'http.response.status_code': context.response.status }),
    });
  }
}

export function graphScope(graphEndpoint: string): string {
  return `${new URL(graphEndpoint).origin}/.default`;
}

export function createGraphClient(credential: TokenCredential, graphEndpoint: string): Client {
  const origin = new URL(graphEndpoint).origin;
  const auth = new BearerAndRequestIdHandler(credential, graphScope(graphEndpoint), origin);
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: graphEndpoint.replace(/\/+$/, ''),
    customHosts: new Set([new URL(graphEndpoint).host]),
    defaultVersion: 'v1.0',
  });
}
