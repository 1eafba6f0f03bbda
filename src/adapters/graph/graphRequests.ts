/**
 * How the directory talks to Microsoft Graph: one call retried for throttling and passing outages with
 * its failure translated into an `AppError`, every page of a collection, and GET requests batched into
 * one `$batch` round trip. Each round trip is one client span named by the operation's template
 * (`GET /users/{id}`: no ids, no filter values); the transport adds its status (graphClient.ts).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppError } from '../../domain/errors';
import { SpanKind, withSpan } from '../../telemetry/tracing';
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
    const attempt = () =>
      withSpan(operation, SpanKind.CLIENT, attributes, async () => {
        try {
          return await request();
        } catch (error) {
          throw fromGraphError(error, operation);
        }
      });
    return withRetries(this.retry, attempt, 'graph');
  }

  /** All pages of a collection, following `@odata.nextLink`. */
  async collect(operation: string, first: Json): Promise<Json[]> {
    const items = array(first.value).map(obj);
    let next = str(first['@odata.nextLink']);
    while (next !== '') {
      const link = next;
      const page = obj(await this.call(operation, () => this.client.api(link).get()));
      items.push(...array(page.value).map(obj));
      next = str(page['@odata.nextLink']);
    }
    return items;
  }

  /**
   * GET requests in one `$batch` round trip. Sub-requests that were throttled or met a passing outage
   * are sent again (only those), after the longest wait any of them asked for; bounded like any call.
   */
  async batchGet(
    requests: readonly { id: string; url: string }[],
    label: string,
  ): Promise<Map<string, Json>> {
    const results = new Map<string, Json>();
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
        const status = num(item.status);
        if (status >= 200 && status <= 299) {
          results.set(str(item.id), obj(item.body));
          continue;
        }
        const headers = obj(item.headers);
        const header = (name: string) => {
          const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
          return key === undefined ? undefined : str(headers[key]);
        };
        const error = graphFailure(status, item.body, header, `GET ${str(item.id)} (${label})`);
        noteThrottled('graph', error);
        if (!error.retryable) throw error;
        again.push(error);
        retryIds.add(str(item.id));
      }
      if (again.length === 0) return results;
      if (attempt >= this.retry.maxAttempts) throw again[0];
      const delayMs = Math.max(...again.map((error) => retryDelayMs(this.retry, attempt, error)));
      await waitToRetry(this.retry, 'graph', { attempt, delayMs, error: again[0] });
      pending = requests.filter((r) => retryIds.has(r.id));
    }
  }
}
