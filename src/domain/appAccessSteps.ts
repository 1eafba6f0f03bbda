/**
 * Granting the sync product's app its Exchange application roles, check-then-act like the account's
 * steps: each looks first, acts only when something is missing, and reads again after an "already
 * exists" — so a retry, a crash or a duplicate run never grants twice. Then readiness: the grant is
 * in place when `Test-ServicePrincipalAuthorization` lists every role (and, given a mailbox, finds it
 * in scope); Exchange's permission cache (30 minutes to 2 hours) is the replication watch's to wait
 * out.
 */
import {
  type AppAccessSpec,
  describeScope,
  managementScopeName,
  recipientFilter,
  roleAssignmentName,
  sameRecipientFilter,
} from './appAccess';
import { AppError, isAppError } from './errors';
import type { ExchangeAppAccess } from './ports';
import type { StepName, StepResult } from './provisioningSteps';

export interface AppAccessProgress {
  completed: StepResult[];
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Runs `create`; an "already exists" answer means another run got there first: `recheck` decides. */
async function createOrFind(create: () => Promise<void>, recheck: () => Promise<boolean>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (isAppError(error, 'Conflict') && (await recheck())) return false;
    throw error;
  }
}

async function ensureServicePrincipal(exchange: ExchangeAppAccess, spec: AppAccessSpec): Promise<StepResult> {
  const step: StepName = 'exchangeServicePrincipal';
  const found = await exchange.getServicePrincipal(spec.appId);
  const check = (objectId: string) => {
    if (!sameId(objectId, spec.servicePrincipalId))
      throw new AppError(
        'Conflict',
        `Exchange already knows the app ${spec.appId} with another service principal (${objectId}). Remove it with Remove-ServicePrincipal, or check the application id.`,
      );
  };
  if (found !== undefined) {
    check(found.objectId);
    return {
      step,
      outcome: 'existing',
      detail: `${spec.displayName} is already registered in Exchange Online`,
    };
  }
  const created = await createOrFind(
    () =>
      exchange.newServicePrincipal({
        appId: spec.appId,
        objectId: spec.servicePrincipalId,
        displayName: spec.displayName,
      }),
    async () => {
      const now = await exchange.getServicePrincipal(spec.appId);
      if (now !== undefined) check(now.objectId);
      return now !== undefined;
    },
  );
  return {
    step,
    outcome: created ? 'created' : 'existing',
    detail: `Registered ${spec.displayName} (${spec.appId}) in Exchange Online`,
  };
}

async function ensureManagementScope(exchange: ExchangeAppAccess, spec: AppAccessSpec): Promise<StepResult> {
  const step: StepName = 'managementScope';
  const filter = recipientFilter(spec.scope);
  if (filter === undefined) return { step, outcome: 'skipped', detail: 'No management scope: every mailbox' };
  const name = managementScopeName(spec);
  const check = (found: { filter: string }) => {
    if (!sameRecipientFilter(found.filter, filter))
      throw new AppError(
        'Conflict',
        `A management scope named "${name}" exists with another filter (${found.filter}); it was not made by this request.`,
      );
  };
  const found = await exchange.getManagementScope(name);
  if (found !== undefined) {
    check(found);
    return { step, outcome: 'existing', detail: `Management scope "${name}" is in place` };
  }
  const created = await createOrFind(
    () => exchange.newManagementScope(name, filter),
    async () => {
      const now = await exchange.getManagementScope(name);
      if (now !== undefined) check(now);
      return now !== undefined;
    },
  );
  return {
    step,
    outcome: created ? 'created' : 'existing',
    detail: `Management scope "${name}": ${describeScope(spec.scope)}`,
  };
}

async function ensureApplicationRoles(exchange: ExchangeAppAccess, spec: AppAccessSpec): Promise<StepResult> {
  const step: StepName = 'applicationRoles';
  const scope = recipientFilter(spec.scope) === undefined ? undefined : managementScopeName(spec);
  const held = async (role: string) =>
    (await exchange.appRoleAssignments(spec.appId)).some(
      (a) => a.role.toLowerCase() === role.toLowerCase() && (a.scope ?? '') === (scope ?? ''),
    );
  const granted: string[] = [];
  for (const role of spec.roles) {
    if (await held(role)) continue;
    if (
      await createOrFind(
        () =>
          exchange.newAppRoleAssignment({
            name: roleAssignmentName(spec, role),
            servicePrincipalId: spec.servicePrincipalId,
            role,
            ...(scope === undefined ? {} : { scope }),
          }),
        () => held(role),
      )
    )
      granted.push(role);
  }
  const over = describeScope(spec.scope);
  return granted.length === 0
    ? {
        step,
        outcome: 'existing',
        detail: `${spec.displayName} already holds ${spec.roles.join(', ')} over ${over}`,
      }
    : {
        step,
        outcome: 'created',
        detail: `Granted ${granted.join(', ')} to ${spec.displayName} over ${over}`,
      };
}

export const APP_ACCESS_PLAN: readonly {
  name: StepName;
  title: string;
  run: (exchange: ExchangeAppAccess, spec: AppAccessSpec) => Promise<StepResult>;
}[] = [
  {
    name: 'exchangeServicePrincipal',
    title: 'Register the app in Exchange Online',
    run: ensureServicePrincipal,
  },
  { name: 'managementScope', title: 'Make the management scope', run: ensureManagementScope },
  { name: 'applicationRoles', title: 'Grant the application roles', run: ensureApplicationRoles },
];

/** Runs the plan from where an earlier run stopped; `onStepDone` persists progress after each step. */
export async function grantAppAccess(
  spec: AppAccessSpec,
  options: {
    exchange: ExchangeAppAccess;
    progress?: AppAccessProgress;
    onStepStarted?: (step: StepName) => void | Promise<void>;
    onStepDone?: (progress: AppAccessProgress, result: StepResult) => void | Promise<void>;
  },
): Promise<AppAccessProgress> {
  const progress: AppAccessProgress = { completed: [...(options.progress?.completed ?? [])] };
  const done = new Set(progress.completed.map((r) => r.step));
  for (const step of APP_ACCESS_PLAN) {
    if (done.has(step.name)) continue;
    await options.onStepStarted?.(step.name);
    const result = await step.run(options.exchange, spec);
    progress.completed.push(result);
    await options.onStepDone?.(progress, result);
  }
  return progress;
}

/** Whether Exchange reports the whole grant: every role, and the sample mailbox in scope if given. */
export async function appAccessInPlace(
  exchange: ExchangeAppAccess,
  spec: AppAccessSpec,
  resource?: string,
): Promise<{ ready: boolean; missing: string[] }> {
  const rows = await exchange.testAppAuthorization(spec.appId, resource);
  const missing = spec.roles.filter(
    (role) =>
      !rows.some(
        (row) =>
          row.role.toLowerCase() === role.toLowerCase() && (resource === undefined || row.inScope === true),
      ),
  );
  return { ready: missing.length === 0, missing };
}
