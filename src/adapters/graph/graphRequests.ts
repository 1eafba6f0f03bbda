/**
 * How the directory talks to Microsoft Graph: one call retried for throttling and passing outages with
 * its failure translated into an `AppError`, every page of a collection, and GET requests batched into
 * one `$batch` round trip. Each round trip is one client span named by the operation's template
 * (`GET /users/{id}`: no ids, no filter values); the transport adds its status (graphClient.ts), and
 * its debug line the operation and the attempt number.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppError } from '../../domain/errors';
import { SpanKind, withSpan } from '../../telemetry/tracing';
import { inGraphAttempt } from './graphClient';
import { noteThrottled, retryDelayMs, type RetryPolicy, waitToRetry, withRetries } from '../retry';
import { fromGraphError, graphFailure } from './graphErrors';
import { array, type Json, num, obj, str } from './json';

export class GraphRequests {
  constructor(
    private readonly client: Client,
    private readonly retry: RetryPolicy,
  ) {}

  /** One call to Graph, retried for throttling and passing outages, failures translated. */
  call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    const [method, ...template] = operation.split(' ');
    const attributes = { 'http.request.method': method, 'url.template': template.join(' ') };
    let tries = 0;
    const attempt = () =>
      inGraphAttempt({ operation, attempt: ++tries }, () =>
        withSpan(operation, SpanKind.CLIENT, attributes, async () => {
          try {
            return await request();
          } catch (error) {
            throw fromGraphError(error, operation);
          }
        }),
      );
    return withRetries(this.retry, attempt, 'graph');
  }

  /** All pages of a collection, following `@odata.nextLink`. */
  async collect(operation: string, first: Json): Promise<Json[]> {
    const items = array(first.value).map(obj);
    let next = str(first['@odata.nextLink']);
    while (next !== '') {
      const link = next;
      const page = obj(await this.call(operation, () => this.pageRequest(link).get()));
      items.push(...array(page.value).map(obj));
      next = str(page['@odata.nextLink']);
    }
    return items;
  }

  /**
   * The request for a `@odata.nextLink`. The client reads only `https://` links as absolute, so a
   * plain-HTTP link (the tenant simulator on loopback) is sent as its version and path on the
   * configured endpoint; the host of such a link is never called, so no token leaves for elsewhere.
   */
  private pageRequest(link: string) {
    if (!/^http:\/\//i.test(link)) return this.client.api(link);
    const url = new URL(link);
    const [, version = 'v1.0', ...rest] = url.pathname.split('/');
    return this.client.api(`/${rest.join('/')}${url.search}`).version(version);
  }

  /**
   * GET requests in one `$batch` round trip, each answered with its status and body for the caller to
   * judge. Sub-requests that were throttled or met a passing outage (429, 503, 504) are sent again
   * (only those), after the longest wait any of them asked for; bounded like any call, the last
   * answer standing when the attempts run out.
   */
  async batch(
    requests: readonly { id: string; url: string }[],
    label: string,
  ): Promise<Map<string, BatchAnswer>> {
    const results = new Map<string, BatchAnswer>();
    let pending = [...requests];
    for (let attempt = 1; ; attempt++) {
      const batch = pending;
      const answer = obj(
        await this.call(`POST /$batch (${label})`, () =>
          this.client
            .api('/$batch')
            .post({ requests: batch.map((r) => ({ id: r.id, method: 'GET', url: r.url })) }),
        ),
      );
      const again: AppError[] = [];
      const retryIds = new Set<string>();
      for (const item of array(answer.responses).map(obj)) {
        const id = str(item.id);
        const result = toBatchAnswer(item, `GET ${id} (${label})`);
        results.set(id, result);
        if (result.error === undefined) continue;
        noteThrottled('graph', result.error);
        if (!result.error.retryable) continue;
        again.push(result.error);
        retryIds.add(id);
      }
      if (again.length === 0 || attempt >= this.retry.maxAttempts) return results;
      const delayMs = Math.max(...again.map((error) => retryDelayMs(this.retry, attempt, error)));
      await waitToRetry(this.retry, 'graph', { attempt, delayMs, error: again[0] });
      pending = requests.filter((r) => retryIds.has(r.id));
    }
  }

  /** GET requests in one `$batch` round trip; any sub-request that still fails throws its `AppError`. */
  async batchGet(
    requests: readonly { id: string; url: string }[],
    label: string,
  ): Promise<Map<string, Json>> {
    const answers = await this.batch(requests, label);
    const results = new Map<string, Json>();
    for (const request of requests) {
      const answer = answers.get(request.id);
      if (answer === undefined) continue;
      if (answer.error !== undefined) throw answer.error;
      results.set(request.id, answer.body);
    }
    return results;
  }
}

/** One `$batch` sub-request's answer: its status and body, and its `AppError` unless it is 2xx. */
export interface BatchAnswer {
  status: number;
  body: Json;
  error?: AppError;
}

function toBatchAnswer(item: Json, operation: string): BatchAnswer {
  const status = num(item.status);
  const body = obj(item.body);
  if (status >= 200 && status <= 299) return { status, body };
  const headers = obj(item.headers);
  const header = (name: string) => {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : str(headers[key]);
  };
  return { status, body, error: graphFailure(status, item.body, header, operation) };
}
