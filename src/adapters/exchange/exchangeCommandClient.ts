/**
 * Exchange Online's admin API without PowerShell: `POST {exchange}/adminapi/beta/{tenant}/InvokeCommand`
 * with an app token, following `@odata.nextLink` pages, retrying throttling and passing outages, and
 * turning Exchange's error shapes into the one `AppError`. Each round trip is one client span named
 * by the cmdlet, with its status (never its parameters).
 */
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { AppError, type ErrorDetails } from '../../domain/errors';
import { array, type Json, obj, str } from '../graph/json';
import { readExchangeError } from './exchangeExceptions';
import { parseRetryAfter, type RetryPolicy, withRetries } from '../retry';
import { annotateActiveSpan, SpanKind, withSpan } from '../../telemetry/tracing';

export type CmdletParameters = Record<string, string | string[] | boolean | number>;

export interface ExchangeCommandClientOptions {
  credential: TokenCredential;
  /** e.g. https://outlook.office365.com */
  endpoint: string;
  tenantId: string;
  retry: RetryPolicy;
}

/** The system mailbox that routes app-only admin API calls, per tenant. */
export function anchorMailbox(tenantId: string): string {
  return `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`;
}

const NOT_RECOGNIZED = /is not recognized as (the|a) name of a cmdlet/i;
const UNTYPED_ABSENT = /couldn't be found|could not be found|couldn't find/i;
const UNTYPED_EXISTS = /already exists|is already a member/i;

/**
 * One `AppError` for an InvokeCommand failure. Transport answers (401, 403, 429, 5xx) are read from
 * the HTTP status; a cmdlet's own error by its exception type (`exchangeExceptions.ts`), since
 * Exchange answers most of them with 400 whatever they mean.
 */
export function exchangeFailure(status: number, body: unknown, headers: Headers, cmdlet: string): AppError {
  const { message, exceptionType, meaning } = readExchangeError(body);
  const details: ErrorDetails = {
    status,
    serviceCode: exceptionType ?? (str(obj(obj(body).error).code) || undefined),
    requestId: headers.get('request-id') ?? headers.get('x-ms-diagnostics') ?? undefined,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    operation: cmdlet,
  };
  const options = { details, message: `${cmdlet}: ${status} ${message || '(no message)'}` };
  if (status === 429)
    return new AppError(
      'Throttled',
      'Exchange Online is throttling requests; trying again shortly.',
      options,
    );
  if (status === 503 || status === 504) {
    return new AppError('ServiceUnavailable', 'Exchange Online is temporarily unavailable.', options);
  }
  if (status === 401) {
    return new AppError(
      'Unauthorized',
      'Exchange Online refused the bot’s token. Check the app registration’s credentials.',
      options,
    );
  }
  // A body that names no exception type has only its words to go on for "not recognized".
  const untyped = exceptionType === undefined;
  if (meaning === 'notAllowed' || status === 403 || (untyped && NOT_RECOGNIZED.test(message))) {
    return new AppError(
      'Forbidden',
      `Exchange Online did not let the bot run ${cmdlet}: the app registration needs the Exchange.ManageAsApp permission and the Exchange Administrator role.`,
      options,
    );
  }
  switch (meaning) {
    case 'absent':
      return new AppError('NotFound', message || 'Exchange Online could not find the object (yet).', options);
    case 'exists':
      return new AppError('Conflict', message, options);
    case 'ambiguous':
    case 'badInput':
      return new AppError('BadRequest', message || `${cmdlet} was refused.`, options);
  }
  // A body that names no exception type at all: its message and status are all there is to go on.
  if (untyped) {
    if (UNTYPED_ABSENT.test(message)) return new AppError('NotFound', message, options);
    if (UNTYPED_EXISTS.test(message)) return new AppError('Conflict', message, options);
  }
  if (status === 404)
    return new AppError('NotFound', message || 'Exchange Online could not find the object (yet).', options);
  if (status >= 400 && status < 500)
    return new AppError('BadRequest', message || `${cmdlet} was refused.`, options);
  return new AppError('Unexpected', `Exchange Online failed running ${cmdlet} (${status}).`, options);
}

export class ExchangeCommandClient {
  private readonly url: string;
  private readonly scope: string;
  private readonly host: string;

  constructor(private readonly options: ExchangeCommandClientOptions) {
    const base = options.endpoint.replace(/\/+$/, '');
    this.url = `${base}/adminapi/beta/${encodeURIComponent(options.tenantId)}/InvokeCommand`;
    this.scope = `${new URL(base).origin}/.default`;
    this.host = new URL(base).hostname;
  }

  /** Runs a cmdlet and returns every row of its output, across pages. */
  async invoke(cmdlet: string, parameters: CmdletParameters = {}): Promise<Json[]> {
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    const rows: Json[] = [];
    let url: string | undefined = this.url;
    while (url !== undefined) {
      const page: Json = await this.post(url, body, cmdlet);
      rows.push(...array(page.value).map(obj));
      const next = str(page['@odata.nextLink']);
      url = next === '' ? undefined : next;
    }
    return rows;
  }

  private post(url: string, body: string, cmdlet: string): Promise<Json> {
    const attributes = {
      'http.request.method': 'POST',
      'server.address': this.host,
      'exchange.cmdlet': cmdlet,
    };
    const attempt = () =>
      withSpan(cmdlet, SpanKind.CLIENT, attributes, () => this.postOnce(url, body, cmdlet));
    return withRetries(this.options.retry, attempt, 'exchange');
  }

  private async postOnce(url: string, body: string, cmdlet: string): Promise<Json> {
    const token = await this.options.credential.getToken(this.scope);
    if (token === null)
      throw new AppError('Unauthorized', 'No token for Exchange Online.', {
        details: { operation: cmdlet },
      });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.token}`,
          'content-type': 'application/json',
          'x-anchormailbox': anchorMailbox(this.options.tenantId),
          'client-request-id': randomUUID(),
        },
        body,
      });
    } catch (error) {
      throw new AppError('ServiceUnavailable', 'Exchange Online could not be reached.', {
        cause: error,
        details: { operation: cmdlet },
        message: `${cmdlet}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    annotateActiveSpan({ 'http.response.status_code': response.status });
    const text = await response.text();
    let json: unknown = {};
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    if (!response.ok) throw exchangeFailure(response.status, json, response.headers, cmdlet);
    return obj(json);
  }
}
