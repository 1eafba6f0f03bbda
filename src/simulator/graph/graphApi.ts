import { randomUUID } from 'node:crypto';
import type { CallLog } from '../callLog';
import type { SimulatorClock } from '../clock';
import type { FaultAction, FaultInjector } from '../faults/faultInjector';
import type { IdGenerator } from '../idGenerator';
import { isRecord } from '../http/jsonValue';
import { queryText } from '../http/requestTarget';
import { header, type SimRequest, type SimResponse } from '../http/simMessages';
import { sleep } from '../http/sleep';
import type { TenantState } from '../state/tenantState';
import type { TokenService } from '../token/tokenService';
import { directoryRoutes } from './directoryRoutes';
import { groupRoutes } from './groupRoutes';
import { runBatch } from './graphBatch';
import { faultError, GraphError, graphErrorBody, graphErrors, invalidTokenError } from './graphErrors';
import {
  matchRoute,
  requirePermission,
  type GraphContext,
  type GraphResult,
  type GraphVersion,
} from './graphRouter';
import { licenseRoutes } from './licenseRoutes';
import { policyRoutes } from './policyRoutes';
import { roleRoutes } from './roleRoutes';
import { servicePrincipalRoutes } from './servicePrincipalRoutes';
import { userRoutes } from './userRoutes';

/** POST actions that only read (Graph's functions invoked with POST). */
const READ_ONLY_ACTIONS = /\/(checkMemberGroups|getMemberGroups)$/i;

const ROUTES = [
  ...userRoutes,
  ...licenseRoutes,
  ...roleRoutes,
  ...directoryRoutes,
  ...policyRoutes,
  ...groupRoutes,
  ...servicePrincipalRoutes,
];
const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** What a call learnt on the way, for the call log even when it failed. */
interface CallMeta {
  appId?: string;
  fault?: string;
  /** The handler changed the tenant. */
  committed?: boolean;
}

/** Answers 429 to every `every`-th Graph request (the `throttled` scenario). */
export interface ThrottleSettings {
  every: number;
  retryAfterSeconds: number;
}

export interface GraphApiDeps {
  state: TenantState;
  tokens: TokenService;
  faults: FaultInjector;
  log: CallLog;
  clock: SimulatorClock;
  ids: IdGenerator;
  baseUrl: () => string;
  pageSize: number;
  throttle?: ThrottleSettings;
  signal: AbortSignal;
}

/** Microsoft Graph: bearer check, permissions, throttling, faults, routing, `$batch`, the call log. */
export class GraphApi {
  private operations = 0;

  constructor(private readonly deps: GraphApiDeps) {}

  async handle(request: SimRequest): Promise<SimResponse> {
    const [version, ...rest] = request.path.split('/').filter((segment) => segment !== '');
    if (
      request.method === 'POST' &&
      rest.length === 1 &&
      rest[0] === '$batch' &&
      (version === 'v1.0' || version === 'beta')
    ) {
      return this.run(request, false, async (meta) => {
        meta.appId = this.authenticate(request).appId;
        const result = await runBatch(request.body, version, request.headers, {
          execute: (sub) => this.run(sub, true, (subMeta) => this.operation(sub, subMeta)),
          skipped: (sub, response) =>
            this.logCall(sub, response, {
              seq: this.deps.log.reserve(),
              time: this.deps.clock.iso(),
              started: Date.now(),
              viaBatch: true,
              committed: false,
            }),
        });
        return result;
      });
    }
    return this.run(request, false, (meta) => this.operation(request, meta));
  }

  private authenticate(request: SimRequest): { appId: string; roles: string[] } {
    if (request.bodyProblem === 'too-large') throw graphErrors.tooLarge();
    if (request.bodyProblem === 'invalid-json') throw graphErrors.invalidJson();
    const check = this.deps.tokens.check(header(request, 'authorization'), 'graph');
    if (!check.ok) throw invalidTokenError(check.reason);
    return check;
  }

  /** One Graph operation (a plain request or a `$batch` sub-request). */
  private async operation(request: SimRequest, meta: CallMeta): Promise<GraphResult> {
    const auth = this.authenticate(request);
    meta.appId = auth.appId;
    const [versionText, ...segments] = request.path.split('/').filter((segment) => segment !== '');
    if (versionText !== 'v1.0' && versionText !== 'beta')
      throw new GraphError(400, 'BadRequest', 'Invalid version.');
    const version: GraphVersion = versionText;
    const { route, params } = matchRoute(ROUTES, request.method, version, segments);
    requirePermission(route, auth.roles);
    const { throttle } = this.deps;
    if (throttle !== undefined && ++this.operations % throttle.every === 0) {
      const err = new GraphError(
        429,
        'TooManyRequests',
        `Too many requests. Retry after ${throttle.retryAfterSeconds} seconds.`,
      );
      err.retryAfterSeconds = throttle.retryAfterSeconds;
      err.faultLabel = 'throttled scenario';
      throw err;
    }
    const fault = this.deps.faults.take({ api: 'graph', method: request.method, path: request.path });
    meta.fault = fault?.label;
    const subject =
      isRecord(request.body) && typeof request.body.principalId === 'string'
        ? request.body.principalId
        : (params.id ?? segments[segments.length - 1] ?? '');
    if (fault !== undefined) {
      await sleep(fault.delayMs, this.deps.signal);
      if (fault.status !== undefined && !fault.afterCommit)
        throw withFault(faultError(fault.status, subject, fault.retryAfterSeconds), fault);
    }
    const ctx: GraphContext = {
      state: this.deps.state,
      request,
      params,
      version,
      baseUrl: this.deps.baseUrl(),
      ids: this.deps.ids,
      pageSize: this.deps.pageSize,
    };
    const versionBefore = this.deps.state.version;
    const result = route.handler(ctx);
    meta.committed = this.deps.state.version !== versionBefore;
    if (fault?.afterCommit === true)
      throw withFault(faultError(fault.status ?? 504, subject, fault.retryAfterSeconds), fault);
    if (fault !== undefined && fault.answerDelayMs > 0) await sleep(fault.answerDelayMs, this.deps.signal);
    return result;
  }

  /** Runs `work`, turns errors into Graph's error shape, adds Graph's headers and logs the call. */
  private async run(
    request: SimRequest,
    viaBatch: boolean,
    work: (meta: CallMeta) => Promise<GraphResult>,
  ): Promise<SimResponse> {
    const started = Date.now();
    const seq = this.deps.log.reserve();
    const time = this.deps.clock.iso();
    const clientRequestId = header(request, 'client-request-id') ?? randomUUID();
    const requestId = randomUUID();
    let result: GraphResult;
    const meta: CallMeta = {};
    try {
      result = await work(meta);
    } catch (err) {
      const graphError =
        err instanceof GraphError ? err : new GraphError(500, 'InternalServerError', String(err));
      meta.fault = graphError.faultLabel ?? meta.fault;
      const headers: Record<string, string> = {};
      if (graphError.retryAfterSeconds !== undefined)
        headers['Retry-After'] = String(graphError.retryAfterSeconds);
      if (graphError.status === 401) {
        headers['WWW-Authenticate'] =
          `Bearer realm="", authorization_uri="${this.deps.baseUrl()}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`;
      }
      result = {
        status: graphError.status,
        headers,
        body: graphErrorBody(graphError, requestId, clientRequestId, new Date(this.deps.clock.now())),
      };
    }
    const response: SimResponse = {
      status: result.status,
      headers: {
        ...(result.body !== undefined ? { 'Content-Type': JSON_TYPE } : {}),
        'Cache-Control': 'no-cache',
        'request-id': requestId,
        'client-request-id': clientRequestId,
        'x-ms-ags-diagnostic':
          '{"ServerInfo":{"DataCenter":"Simulated","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"SIM"}}',
        ...result.headers,
      },
      body: result.body,
    };
    const isEnvelope = !viaBatch && request.path.endsWith('/$batch');
    this.logCall(request, response, {
      seq,
      time,
      started,
      viaBatch,
      committed: !isEnvelope && meta.committed === true,
      appId: meta.appId,
      fault: meta.fault,
      clientRequestId,
      envelope: isEnvelope,
    });
    return response;
  }

  private logCall(
    request: SimRequest,
    response: SimResponse,
    extra: {
      seq: number;
      time: string;
      started: number;
      viaBatch: boolean;
      committed: boolean;
      appId?: string;
      fault?: string;
      clientRequestId?: string;
      envelope?: boolean;
    },
  ): void {
    this.deps.log.record(extra.seq, {
      api: 'graph',
      method: request.method,
      path: request.path,
      query: queryText(request.query),
      status: response.status,
      time: extra.time,
      durationMs: Date.now() - extra.started,
      mutating: extra.envelope !== true && request.method !== 'GET' && !READ_ONLY_ACTIONS.test(request.path),
      committed: extra.committed,
      viaBatch: extra.viaBatch,
      fault: extra.fault,
      clientRequestId: extra.clientRequestId ?? header(request, 'client-request-id'),
      appId: extra.appId,
    });
  }
}

function withFault(err: GraphError, fault: FaultAction): GraphError {
  err.retryAfterSeconds = fault.retryAfterSeconds;
  err.faultLabel = fault.label;
  return err;
}
