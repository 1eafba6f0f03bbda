/**
 * The admin API's JSON batch: `POST /adminapi/beta/{tenant}/$batch` with
 * `{"requests":[{"id","method":"POST","url":"<absolute InvokeCommand URL>","body":{"CmdletInput":…},"headers":{…}}]}`,
 * answered `{"responses":[{"id","status","headers","body"}]}` where each body is what InvokeCommand
 * would have answered (`{value:[…]}` or `{error:{…}}`). As KelvinTegelaar/CIPP-API
 * `Modules/CIPPCore/Public/GraphHelper/New-ExoBulkRequest.ps1` uses it against Exchange Online: at
 * most 10 requests a batch (it splits longer lists in tens), every sub-request carrying its own
 * Authorization and X-AnchorMailbox headers, the results read from `responses[].body.value` and a
 * failure from `responses[].body.error`. The wording of the simulator's 400 for an 11th request or a
 * malformed body is its own (no capture of Exchange's is published), in Exchange's error shape.
 */
import { randomUUID } from 'node:crypto';
import type { CallLog } from '../callLog';
import type { SimulatorClock } from '../clock';
import { isRecord } from '../http/jsonValue';
import { parseRequestTarget, queryText } from '../http/requestTarget';
import { header, jsonResponse, type SimRequest, type SimResponse } from '../http/simMessages';
import type { TenantState } from '../state/tenantState';
import type { TokenService } from '../token/tokenService';
import { asExchangeError, exchangeErrorBody, exchangeErrors } from './exchangeErrors';
import { checkCaller } from './exchangeCaller';

/** The most requests one admin API `$batch` takes. */
export const MAX_EXCHANGE_BATCH_REQUESTS = 10;

export interface ExchangeBatchDeps {
  state: TenantState;
  tokens: TokenService;
  log: CallLog;
  clock: SimulatorClock;
  baseUrl: () => string;
  /** Runs one sub-request through InvokeCommand's pipeline, logged with `viaBatch: true`. */
  invokeCommand: (request: SimRequest) => Promise<SimResponse>;
}

interface BatchStep {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export function isBatchRequest(request: SimRequest): boolean {
  const segments = request.path.split('/').filter((segment) => segment !== '');
  return segments.length === 4 && segments[3] === '$batch';
}

/** Answers the envelope: one round trip, never mutating; its sub-requests are logged on their own. */
export async function runExchangeBatch(request: SimRequest, deps: ExchangeBatchDeps): Promise<SimResponse> {
  const started = Date.now();
  const seq = deps.log.reserve();
  const time = deps.clock.iso();
  let appId: string | undefined;
  let response: SimResponse;
  try {
    const caller = checkCaller(deps.tokens, request, deps.baseUrl());
    appId = caller.appId;
    if (!caller.admitted) {
      response = caller.response;
    } else {
      const tenant = request.path.split('/').filter((segment) => segment !== '')[2] ?? '';
      if (request.method !== 'POST') throw exchangeErrors.invalidInput('A $batch request must be a POST.');
      if (!deps.state.isTenantName(tenant))
        throw exchangeErrors.invalidInput(`The tenant '${tenant}' was not found.`);
      if (request.bodyProblem !== undefined)
        throw exchangeErrors.invalidInput('The request body is not valid JSON.');
      const responses: Array<Record<string, unknown>> = [];
      for (const step of parseSteps(request.body)) {
        const answer = await deps.invokeCommand(toSubRequest(step, request, deps.baseUrl()));
        responses.push({
          id: step.id,
          status: answer.status,
          headers: answer.headers,
          body: answer.body ?? {},
        });
      }
      response = jsonResponse(200, { responses });
    }
  } catch (err) {
    const error = asExchangeError(err);
    response = jsonResponse(error.status, exchangeErrorBody(error));
  }
  response.headers['request-id'] = randomUUID();
  deps.log.record(seq, {
    api: 'exchange',
    method: request.method,
    path: request.path,
    query: queryText(request.query),
    status: response.status,
    time,
    durationMs: Date.now() - started,
    mutating: false,
    committed: false,
    viaBatch: false,
    clientRequestId: header(request, 'client-request-id'),
    anchorMailbox: header(request, 'x-anchormailbox'),
    appId,
  });
  return response;
}

function parseSteps(body: unknown): BatchStep[] {
  if (!isRecord(body) || !Array.isArray(body.requests) || body.requests.length === 0)
    throw exchangeErrors.invalidInput(
      'The request body must be {"requests":[{"id","method","url","body"}]}.',
    );
  if (body.requests.length > MAX_EXCHANGE_BATCH_REQUESTS) {
    throw exchangeErrors.invalidInput(
      `The batch holds ${body.requests.length} requests; the maximum is ${MAX_EXCHANGE_BATCH_REQUESTS}.`,
    );
  }
  const ids = new Set<string>();
  return body.requests.map((raw: unknown, index: number): BatchStep => {
    if (
      !isRecord(raw) ||
      typeof raw.id !== 'string' ||
      raw.id === '' ||
      typeof raw.method !== 'string' ||
      typeof raw.url !== 'string' ||
      !isRecord(raw.body)
    ) {
      throw exchangeErrors.invalidInput(
        `Request ${index} of the batch needs a string id, method and url, and a body.`,
      );
    }
    if (ids.has(raw.id)) throw exchangeErrors.invalidInput(`The batch request id '${raw.id}' appears twice.`);
    ids.add(raw.id);
    const headers: Record<string, string> = {};
    if (isRecord(raw.headers))
      for (const [name, value] of Object.entries(raw.headers))
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
    return { id: raw.id, method: raw.method.toUpperCase(), url: raw.url, headers, body: raw.body };
  });
}

/** A sub-request as InvokeCommand sees it; without its own Authorization it has the envelope's. */
function toSubRequest(step: BatchStep, outer: SimRequest, baseUrl: string): SimRequest {
  const target = new URL(step.url, `${baseUrl}/`);
  const { path, query } = parseRequestTarget(`${target.pathname}${target.search}`);
  return {
    method: step.method,
    path,
    query,
    headers: { authorization: outer.headers.authorization, ...step.headers },
    body: step.body,
  };
}
