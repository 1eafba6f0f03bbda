import { randomUUID } from 'node:crypto';
import type { CallLog } from '../callLog';
import type { SimulatorClock } from '../clock';
import type { FaultAction, FaultInjector } from '../faults/faultInjector';
import type { IdGenerator } from '../idGenerator';
import { isRecord } from '../http/jsonValue';
import { header, jsonResponse, type SimRequest, type SimResponse } from '../http/simMessages';
import { sleep } from '../http/sleep';
import { queryText } from '../http/requestTarget';
import type { TenantState } from '../state/tenantState';
import type { ClientRegistry } from '../token/clientRegistry';
import type { TokenService } from '../token/tokenService';
import { newManagementRoleAssignment, testServicePrincipalAuthorization } from './appRoleAssignmentCmdlets';
import { isMutatingCmdlet, type Cmdlet } from './cmdlet';
import { CmdletParameters } from './cmdletParameters';
import { isBatchRequest, runExchangeBatch } from './exchangeBatch';
import { checkCaller } from './exchangeCaller';
import {
  asExchangeError,
  ExchangeError,
  exchangeErrorBody,
  exchangeErrors,
  exchangeFaultError,
} from './exchangeErrors';
import { getManagementScope, newManagementScope } from './managementScopeCmdlets';
import {
  addPublicFolderClientPermission,
  getMailbox,
  getPublicFolderClientPermission,
  getRecipient,
} from './recipientCmdlets';
import {
  addRoleGroupMember,
  getManagementRole,
  getManagementRoleAssignment,
  getRoleGroup,
  newRoleGroup,
} from './roleCmdlets';
import { getServicePrincipal, newServicePrincipal } from './servicePrincipalCmdlets';

const CMDLETS: readonly Cmdlet[] = [
  getManagementRole,
  getRoleGroup,
  newRoleGroup,
  addRoleGroupMember,
  getManagementRoleAssignment,
  getRecipient,
  getMailbox,
  getPublicFolderClientPermission,
  addPublicFolderClientPermission,
  // RBAC for Applications (https://learn.microsoft.com/exchange/permissions-exo/application-rbac).
  getServicePrincipal,
  newServicePrincipal,
  getManagementScope,
  newManagementScope,
  newManagementRoleAssignment,
  testServicePrincipalAuthorization,
];

/** The domain controller Exchange names in "couldn't be found on '…'" messages. */
export const EXCHANGE_SERVER = 'SIMPR01A001DC01.SIMPR01A001.PROD.OUTLOOK.COM';

export interface ExchangeApiDeps {
  state: TenantState;
  tokens: TokenService;
  /** Whose Exchange management roles decide which cmdlets a caller's session has. */
  clients: ClientRegistry;
  faults: FaultInjector;
  log: CallLog;
  clock: SimulatorClock;
  ids: IdGenerator;
  baseUrl: () => string;
  pageSize: number;
  signal: AbortSignal;
}

/**
 * Exchange Online's admin API: `POST /adminapi/beta/{tenant}/InvokeCommand` running one cmdlet, and
 * `POST /adminapi/beta/{tenant}/$batch` running several (exchangeBatch.ts).
 */
export class ExchangeApi {
  constructor(private readonly deps: ExchangeApiDeps) {}

  async handle(request: SimRequest): Promise<SimResponse> {
    if (isBatchRequest(request)) {
      return runExchangeBatch(request, {
        state: this.deps.state,
        tokens: this.deps.tokens,
        log: this.deps.log,
        clock: this.deps.clock,
        baseUrl: this.deps.baseUrl,
        invokeCommand: (sub) => this.invokeCommand(sub, true),
      });
    }
    return this.invokeCommand(request, false);
  }

  /** One InvokeCommand request, on its own or as a `$batch` sub-request (`viaBatch`). */
  private async invokeCommand(request: SimRequest, viaBatch: boolean): Promise<SimResponse> {
    const { deps } = this;
    const started = Date.now();
    const seq = deps.log.reserve();
    const time = deps.clock.iso();
    let committed = false;
    const input =
      isRecord(request.body) && isRecord(request.body.CmdletInput) ? request.body.CmdletInput : undefined;
    const cmdletName = typeof input?.CmdletName === 'string' ? input.CmdletName : undefined;
    let appId: string | undefined;
    let faultLabel: string | undefined;
    let response: SimResponse;
    try {
      const caller = checkCaller(deps.tokens, request, deps.baseUrl());
      appId = caller.appId;
      if (!caller.admitted) {
        response = caller.response;
      } else {
        const run = await this.invoke(request, input, cmdletName, caller.appId);
        faultLabel = run.fault?.label;
        committed = run.committed;
        response = run.response;
      }
    } catch (err) {
      const exchangeError = asExchangeError(err);
      faultLabel = exchangeError.faultLabel;
      committed = exchangeError.committed;
      response = jsonResponse(exchangeError.status, exchangeErrorBody(exchangeError));
      if (exchangeError.retryAfterSeconds !== undefined)
        response.headers['Retry-After'] = String(exchangeError.retryAfterSeconds);
    }
    response.headers['request-id'] = randomUUID();
    deps.log.record(seq, {
      api: 'exchange',
      method: request.method,
      path: request.path,
      query: queryText(request.query),
      cmdlet: cmdletName,
      status: response.status,
      time,
      durationMs: Date.now() - started,
      mutating: cmdletName !== undefined && isMutatingCmdlet(cmdletName),
      committed,
      viaBatch,
      fault: faultLabel,
      clientRequestId: header(request, 'client-request-id'),
      anchorMailbox: header(request, 'x-anchormailbox'),
      appId,
    });
    return response;
  }

  private async invoke(
    request: SimRequest,
    input: Record<string, unknown> | undefined,
    cmdletName: string | undefined,
    appId: string,
  ): Promise<{ response: SimResponse; fault?: FaultAction; committed: boolean }> {
    const { deps } = this;
    const segments = request.path.split('/').filter((segment) => segment !== '');
    const tenant = segments[2] ?? '';
    if (segments.length !== 4 || segments[3].toLowerCase() !== 'invokecommand' || request.method !== 'POST') {
      return {
        response: jsonResponse(404, {
          error: { code: 'NotFound', message: `No admin API endpoint at ${request.method} ${request.path}` },
        }),
        committed: false,
      };
    }
    if (!deps.state.isTenantName(tenant))
      throw exchangeErrors.invalidInput(`The tenant '${tenant}' was not found.`);
    if (request.bodyProblem !== undefined || input === undefined || cmdletName === undefined) {
      throw exchangeErrors.invalidInput(
        'The request body must be {"CmdletInput":{"CmdletName":"…","Parameters":{…}}}.',
      );
    }
    const cmdlet = CMDLETS.find((candidate) => candidate.name.toLowerCase() === cmdletName.toLowerCase());
    // A cmdlet outside the app's management roles is not in its session at all: "not recognized".
    const held = deps.clients.get(appId)?.exchangeManagementRoles ?? [];
    if (cmdlet === undefined || !cmdlet.roles.some((role) => held.includes(role)))
      throw exchangeErrors.cmdletNotFound(cmdletName);
    const params = new CmdletParameters(input.Parameters, cmdlet.parameters, cmdlet.mandatory);
    const fault = deps.faults.take({
      api: 'exchange',
      method: request.method,
      path: request.path,
      cmdlet: cmdlet.name,
    });
    const identity =
      params.string('Identity') ?? params.string('Member') ?? params.string('User') ?? cmdlet.name;
    const failWith = (action: FaultAction): ExchangeError => {
      const err = exchangeFaultError(
        action.status ?? 504,
        identity,
        EXCHANGE_SERVER,
        action.retryAfterSeconds,
      );
      err.retryAfterSeconds = action.retryAfterSeconds;
      err.faultLabel = action.label;
      return err;
    };
    if (fault !== undefined) {
      await sleep(fault.delayMs, deps.signal);
      if (fault.status !== undefined && !fault.afterCommit) throw failWith(fault);
    }
    const versionBefore = deps.state.version;
    const rows = cmdlet.run({ state: deps.state, params, server: EXCHANGE_SERVER, ids: deps.ids });
    const committed = deps.state.version !== versionBefore;
    if (fault?.afterCommit === true) {
      const error = failWith(fault);
      error.committed = committed;
      throw error;
    }
    return { response: jsonResponse(200, this.page(request, tenant, rows)), fault, committed };
  }

  private page(
    request: SimRequest,
    tenant: string,
    rows: Array<Record<string, unknown>>,
  ): Record<string, unknown> {
    const prefer = /odata\.maxpagesize=(\d+)/i.exec(header(request, 'prefer') ?? '');
    const size = Math.max(
      1,
      prefer === null ? this.deps.pageSize : Math.min(Number(prefer[1]), this.deps.pageSize),
    );
    const offset = Math.max(0, Number(request.query.get('$skiptoken') ?? '0') || 0);
    const endpoint = `${this.deps.baseUrl()}/adminapi/beta/${tenant}/InvokeCommand`;
    const more = offset + size < rows.length;
    return {
      '@odata.context': `${this.deps.baseUrl()}/adminapi/beta/${tenant}/$metadata#Collection(Exchange.GenericHashTable)`,
      'adminapi.warnings@odata.type': '#Collection(String)',
      '@adminapi.warnings': [],
      ...(more ? { '@odata.nextLink': `${endpoint}?$skiptoken=${offset + size}` } : {}),
      value: rows.slice(offset, offset + size),
    };
  }
}
