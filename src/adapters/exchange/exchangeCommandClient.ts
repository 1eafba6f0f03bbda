/**
 * Exchange Online's admin API without PowerShell: `POST {exchange}/adminapi/beta/{tenant}/InvokeCommand`
 * with an app token, following `@odata.nextLink` pages, retrying throttling and passing outages, and
 * turning Exchange's error shapes into the one `AppError`. Each round trip is one client span named
 * by the cmdlet, with its status (never its parameters); at `LOG_LEVEL=debug`, one log line with the
 * cmdlet, the names of its parameters (never their values), status, duration and attempt.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { TokenCredential } from '@azure/core-auth';
import { AppError, type ErrorDetails } from '../../domain/errors';
import { array, type Json, num, obj, str } from '../graph/json';
import { readExchangeError } from './exchangeExceptions';
import {
  noteThrottled,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
  waitToRetry,
  withRetries,
} from '../retry';
import { annotateActiveSpan, SpanKind, withSpan } from '../../telemetry/tracing';
import type { Logger } from '../../logger';

export type CmdletParameters = Record<string, string | string[] | boolean | number>;

/** One cmdlet of a `$batch`. */
export interface ExchangeCommand {
  cmdlet: string;
  parameters?: CmdletParameters;
}

/** A batched cmdlet's answer: every row of its output, or its failure. */
export type CommandResult = Json[] | AppError;

/**
 * The most requests the admin API's `$batch` takes (KelvinTegelaar/CIPP-API New-ExoBulkRequest.ps1
 * sends them in tens); longer lists go in several round trips.
 */
export const MAX_BATCH_COMMANDS = 10;

export interface ExchangeCommandClientOptions {
  credential: TokenCredential;
  /** e.g. https://outlook.office365.com */
  endpoint: string;
  tenantId: string;
  retry: RetryPolicy;
  /** Gets one debug line per round trip. */
  logger?: Logger;
}

/** What Exchange answered a round trip with, for its debug line. */
interface Answered {
  status?: number;
  requestId?: string;
}

/** What a round trip's debug line says it ran: the cmdlet (or the `$batch`'s) and its parameters' names. */
interface RoundTrip {
  cmdlet: string;
  spanName: string;
  parameters?: CmdletParameters;
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
  private readonly batchUrl: string;
  private readonly scope: string;
  private readonly host: string;

  constructor(private readonly options: ExchangeCommandClientOptions) {
    const base = options.endpoint.replace(/\/+$/, '');
    this.url = `${base}/adminapi/beta/${encodeURIComponent(options.tenantId)}/InvokeCommand`;
    this.batchUrl = `${base}/adminapi/beta/${encodeURIComponent(options.tenantId)}/$batch`;
    this.scope = `${new URL(base).origin}/.default`;
    this.host = new URL(base).hostname;
  }

  /** Runs a cmdlet and returns every row of its output, across pages. */
  async invoke(cmdlet: string, parameters: CmdletParameters = {}): Promise<Json[]> {
    const body = JSON.stringify(cmdletInput({ cmdlet, parameters }));
    const trip = { cmdlet, spanName: cmdlet, parameters };
    return this.allRows(await this.post(this.url, body, trip), body, trip);
  }

  /** The first page's rows and those of every page after it (`@odata.nextLink`, same body). */
  private async allRows(first: Json, body: string, trip: RoundTrip): Promise<Json[]> {
    const rows = array(first.value).map(obj);
    let next = str(first['@odata.nextLink']);
    while (next !== '') {
      const page: Json = await this.post(next, body, trip);
      rows.push(...array(page.value).map(obj));
      next = str(page['@odata.nextLink']);
    }
    return rows;
  }

  /**
   * Runs the cmdlets through the admin API's `$batch` (`POST …/adminapi/beta/{tenant}/$batch`, at most
   * `MAX_BATCH_COMMANDS` a round trip): per command, in order, its rows or its `AppError`. Commands
   * answered 429 or 503/504 are sent again (only those) after the longest wait any asked for, bounded
   * by the retry policy; the envelope itself is retried like any call. A command's further pages, when
   * Exchange gives an `@odata.nextLink`, are read through InvokeCommand.
   */
  async invokeBatch(commands: readonly ExchangeCommand[]): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (let start = 0; start < commands.length; start += MAX_BATCH_COMMANDS) {
      results.push(...(await this.batchOnce(commands.slice(start, start + MAX_BATCH_COMMANDS))));
    }
    return results;
  }

  private async batchOnce(commands: readonly ExchangeCommand[]): Promise<CommandResult[]> {
    const results = new Map<number, CommandResult>();
    let pending = commands.map((_, index) => index);
    for (let attempt = 1; ; attempt++) {
      const requests = pending.map((index) => ({
        id: String(index + 1),
        method: 'POST',
        url: this.url,
        body: cmdletInput(commands[index]),
        headers: {
          'content-type': 'application/json',
          'x-anchormailbox': anchorMailbox(this.options.tenantId),
        },
      }));
      const label = `$batch (${pending.map((index) => commands[index].cmdlet).join(', ')})`;
      const answer = await this.post(this.batchUrl, JSON.stringify({ requests }), {
        cmdlet: '$batch',
        spanName: label,
      });
      const again: { index: number; error: AppError }[] = [];
      for (const item of array(answer.responses).map(obj)) {
        const index = Number(str(item.id)) - 1;
        const command = commands[index];
        if (command === undefined || !pending.includes(index)) continue;
        const status = num(item.status);
        if (status >= 200 && status <= 299) {
          const body = JSON.stringify(cmdletInput(command));
          const trip = { cmdlet: command.cmdlet, spanName: command.cmdlet, parameters: command.parameters };
          results.set(index, await this.allRows(obj(item.body), body, trip));
          continue;
        }
        const error = exchangeFailure(status, item.body, headersOf(item.headers), command.cmdlet);
        results.set(index, error);
        noteThrottled('exchange', error);
        if (error.retryable) again.push({ index, error });
      }
      if (again.length === 0 || attempt >= this.options.retry.maxAttempts) break;
      const delayMs = Math.max(...again.map(({ error }) => retryDelayMs(this.options.retry, attempt, error)));
      await waitToRetry(this.options.retry, 'exchange', { attempt, delayMs, error: again[0].error });
      pending = again.map(({ index }) => index);
    }
    return commands.map(
      (command, index) =>
        results.get(index) ??
        new AppError('Unexpected', `Exchange Online's $batch did not answer ${command.cmdlet}.`, {
          details: { operation: command.cmdlet },
        }),
    );
  }

  private post(url: string, body: string, trip: RoundTrip): Promise<Json> {
    const attributes = {
      'http.request.method': 'POST',
      'server.address': this.host,
      'exchange.cmdlet': trip.cmdlet,
    };
    let tries = 0;
    const attempt = () => {
      const tried = ++tries;
      return withSpan(trip.spanName, SpanKind.CLIENT, attributes, () =>
        this.options.logger?.enabled('debug') === true
          ? this.postLogged(url, body, trip, tried, this.options.logger)
          : this.postOnce(url, body, trip.cmdlet),
      );
    };
    return withRetries(this.options.retry, attempt, 'exchange');
  }

  /** `postOnce` with its debug line: never the parameters' values, nor the body, nor a header's value. */
  private async postLogged(
    url: string,
    body: string,
    trip: RoundTrip,
    attempt: number,
    logger: Logger,
  ): Promise<Json> {
    const started = performance.now();
    const answer: Answered = {};
    let failure: AppError | undefined;
    try {
      return await this.postOnce(url, body, trip.cmdlet, answer);
    } catch (error) {
      if (error instanceof AppError) failure = error;
      throw error;
    } finally {
      logger.debug('Exchange Online round trip', {
        cmdlet: trip.spanName,
        ...(trip.parameters === undefined ? {} : { parameters: Object.keys(trip.parameters) }),
        attempt,
        status: answer.status,
        durationMs: Math.round(performance.now() - started),
        requestId: answer.requestId,
        ...(failure === undefined ? {} : { code: failure.code }),
      });
    }
  }

  /** One round trip; `answer` is told the status and request id Exchange answered with. */
  private async postOnce(url: string, body: string, cmdlet: string, answer?: Answered): Promise<Json> {
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
    if (answer !== undefined) {
      answer.status = response.status;
      answer.requestId = response.headers.get('request-id') ?? undefined;
    }
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

function cmdletInput(command: ExchangeCommand): Json {
  return { CmdletInput: { CmdletName: command.cmdlet, Parameters: command.parameters ?? {} } };
}

/** A `$batch` item's headers as `Headers`, for reading them as a response's. */
function headersOf(raw: unknown): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(obj(raw)))
    if (typeof value === 'string') headers.set(name, value);
  return headers;
}
