import { isRecord, isStringArray, type JsonObject } from '../http/jsonValue';
import { parseRequestTarget } from '../http/requestTarget';
import type { SimRequest, SimResponse } from '../http/simMessages';
import { GraphError } from './graphErrors';
import type { GraphResult, GraphVersion } from './graphRouter';

/** Graph's limit on requests in one `$batch`. */
export const MAX_BATCH_REQUESTS = 20;

interface BatchStep {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

export interface BatchRunner {
  /** Runs one sub-request through the normal Graph pipeline (auth, faults, routing, log). */
  execute(request: SimRequest): Promise<SimResponse>;
  /** A sub-request not run because a dependency failed: answered 424, still worth logging. */
  skipped(request: SimRequest, response: SimResponse): void;
}

/**
 * JSON batching: up to 20 requests with relative URLs; a request whose `dependsOn` did not succeed is
 * answered 424 without running. Requests run one at a time, dependencies first.
 */
export async function runBatch(
  body: unknown,
  version: GraphVersion,
  outerHeaders: Readonly<Record<string, string | undefined>>,
  runner: BatchRunner,
): Promise<GraphResult> {
  const steps = parseSteps(body);
  const byId = new Map(steps.map((step) => [step.id, step]));
  assertAcyclic(steps, byId);
  const results = new Map<string, SimResponse>();
  const order: string[] = [];

  const run = async (step: BatchStep): Promise<SimResponse> => {
    const done = results.get(step.id);
    if (done !== undefined) return done;
    const dependencies: SimResponse[] = [];
    for (const dependency of step.dependsOn) dependencies.push(await run(byId.get(dependency) as BatchStep));
    const request = toRequest(step, version, outerHeaders);
    let response: SimResponse;
    const failed = step.dependsOn.find(
      (_, index) => dependencies[index].status < 200 || dependencies[index].status >= 300,
    );
    if (failed !== undefined) {
      response = {
        status: 424,
        headers: { 'Content-Type': 'application/json' },
        body: {
          error: {
            code: 'FailedDependency',
            message: `The request depends on request '${failed}', which failed.`,
          },
        },
      };
      runner.skipped(request, response);
    } else if (/^https?:/i.test(step.url)) {
      response = badStep('The URL of a batch request must be relative to the version, such as /users.');
    } else if (
      step.body !== undefined &&
      !Object.keys(step.headers).some((name) => name.toLowerCase() === 'content-type')
    ) {
      response = badStep('A Content-Type header is required for a batch request that has a body.');
    } else {
      response = await runner.execute(request);
    }
    results.set(step.id, response);
    order.push(step.id);
    return response;
  };
  for (const step of steps) await run(step);

  const responses = order.map((id) => {
    const response = results.get(id) as SimResponse;
    return {
      id,
      status: response.status,
      headers: response.headers,
      ...(response.body !== undefined ? { body: response.body } : {}),
    };
  });
  return { status: 200, body: { responses } };
}

function badStep(message: string): SimResponse {
  return {
    status: 400,
    headers: { 'Content-Type': 'application/json' },
    body: { error: { code: 'BadRequest', message } },
  };
}

function invalid(message: string): GraphError {
  return new GraphError(400, 'BadRequest', message);
}

function parseSteps(body: unknown): BatchStep[] {
  if (!isRecord(body) || !Array.isArray(body.requests) || body.requests.length === 0) {
    throw invalid('Invalid batch payload format.');
  }
  if (body.requests.length > MAX_BATCH_REQUESTS) {
    throw invalid(`The batch holds ${body.requests.length} requests; the maximum is ${MAX_BATCH_REQUESTS}.`);
  }
  const steps = body.requests.map((raw: unknown, index: number): BatchStep => {
    if (
      !isRecord(raw) ||
      typeof raw.id !== 'string' ||
      raw.id === '' ||
      typeof raw.method !== 'string' ||
      typeof raw.url !== 'string'
    ) {
      throw invalid(`Invalid batch payload format: request ${index} needs a string id, method and url.`);
    }
    const dependsOn = raw.dependsOn ?? [];
    if (!isStringArray(dependsOn))
      throw invalid(
        `Invalid batch payload format: dependsOn of request '${raw.id}' must be an array of ids.`,
      );
    return {
      id: raw.id,
      method: raw.method.toUpperCase(),
      url: raw.url,
      headers: stringHeaders(raw.headers),
      body: raw.body,
      dependsOn,
    };
  });
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) throw invalid(`Batch request ids must be unique; '${step.id}' appears twice.`);
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!ids.has(dependency))
        throw invalid(`Request '${step.id}' depends on '${dependency}', which is not in the batch.`);
    }
  }
  return steps;
}

function stringHeaders(raw: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isRecord(raw)) return headers;
  for (const [name, value] of Object.entries(raw as JsonObject))
    if (typeof value === 'string') headers[name] = value;
  return headers;
}

function assertAcyclic(steps: readonly BatchStep[], byId: ReadonlyMap<string, BatchStep>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (step: BatchStep): void => {
    if (state.get(step.id) === 'done') return;
    if (state.get(step.id) === 'visiting')
      throw invalid(`The dependencies of request '${step.id}' form a cycle.`);
    state.set(step.id, 'visiting');
    for (const dependency of step.dependsOn) visit(byId.get(dependency) as BatchStep);
    state.set(step.id, 'done');
  };
  steps.forEach(visit);
}

function toRequest(
  step: BatchStep,
  version: GraphVersion,
  outer: Readonly<Record<string, string | undefined>>,
): SimRequest {
  const relative = step.url.replace(/^\/+/, '');
  const { path, query } = parseRequestTarget(`/${version}/${relative}`);
  const headers: Record<string, string | undefined> = { authorization: outer.authorization };
  for (const [name, value] of Object.entries(step.headers)) headers[name.toLowerCase()] = value;
  return { method: step.method, path, query, headers, body: step.body };
}
