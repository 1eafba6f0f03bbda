/**
 * Provisioning as a story: check the tenant, then run the ordered steps, reporting each one. The
 * caller persists `progress` after every step, so a run can resume where a crash left it; each step
 * is idempotent on its own, so even a step interrupted half-way is safe to run again.
 */
import { AppError, isAppError } from './errors';
import type { Patience } from './patience';
import type { Directory, Exchange } from './ports';
import { type PreflightReport, runPreflight } from './preflight';
import {
  ensureExchangeRecipient,
  ensureGlobalAdministrator,
  ensureImpersonationRoleGroup,
  ensureLicence,
  ensurePublicFolderReviewer,
  ensureRole,
  ensureUser,
  type ServiceAccountSpec,
  type StepContext,
  type StepName,
  type StepResult,
  userPrincipalName,
} from './provisioningSteps';
import { type ServiceAccountRequest, usesImpersonation } from './request';
import { creationMarker, ROLE } from './wellKnown';

export const PLAN: readonly {
  name: StepName;
  title: string;
  run: (ctx: StepContext) => Promise<StepResult>;
}[] = [
  { name: 'user', title: 'Create the user (password never expires)', run: ensureUser },
  { name: 'globalAdministrator', title: 'Assign Global Administrator', run: ensureGlobalAdministrator },
  { name: 'licence', title: 'Assign the mailbox licence', run: ensureLicence },
  {
    name: 'exchangeRecipient',
    title: 'Wait for Exchange Online to know the account',
    run: ensureExchangeRecipient,
  },
  {
    name: 'publicFolderReviewer',
    title: 'Give Reviewer on the public folders',
    run: ensurePublicFolderReviewer,
  },
  {
    name: 'impersonationRoleGroup',
    title: 'Add to the "App Impersonation" role group',
    run: ensureImpersonationRoleGroup,
  },
];

/** The steps this account's set-up takes: without the role group where the app's roles replace it. */
export function planOf(spec: Pick<ServiceAccountSpec, 'impersonation'>): typeof PLAN {
  return spec.impersonation === false ? PLAN.filter((s) => s.name !== 'impersonationRoleGroup') : PLAN;
}

export interface ProvisioningProgress {
  userId?: string;
  /** Steps finished so far, in order. */
  completed: StepResult[];
}

export interface ProvisionOptions {
  directory: Directory;
  exchange: Exchange;
  patience: Patience;
  /** Generated and stored by the caller before the first run; set only if the user is created. */
  password: string;
  /** Where an earlier run stopped; empty for a first run. */
  progress?: ProvisioningProgress;
  /** Called before each step starts, e.g. to show it as in progress. */
  onStepStarted?: (step: StepName) => void | Promise<void>;
  /** Called after each step with the progress so far: persist it here. */
  onStepDone?: (progress: ProvisioningProgress, result: StepResult) => void | Promise<void>;
}

/** Pre-flight blockers found at provisioning time stop the run before any write. */
export class BlockedError extends AppError {
  constructor(readonly report: PreflightReport) {
    super('Blocked', `The tenant is not ready: ${report.blockers.map((b) => b.problem).join(' ')}`, {
      retryable: false,
    });
  }
}

export async function provisionAccount(
  spec: ServiceAccountSpec,
  options: ProvisionOptions,
): Promise<ProvisioningProgress> {
  const progress: ProvisioningProgress = {
    userId: options.progress?.userId,
    completed: [...(options.progress?.completed ?? [])],
  };
  if (progress.completed.length === 0) {
    const report = await runPreflight(options, {
      publicFolders: spec.publicFolders !== undefined,
      skuId: spec.publicFolders?.skuId,
      impersonation: spec.impersonation !== false,
    });
    if (report.blockers.length > 0) throw new BlockedError(report);
    if (!report.managedDomains.includes(spec.domain.toLowerCase())) {
      throw new AppError(
        'Blocked',
        `${spec.domain} is not a verified, managed domain of this tenant, so the account could end up using single sign-on. Pick one of: ${report.managedDomains.join(', ')}.`,
      );
    }
  }
  const ctx: StepContext = {
    spec,
    directory: options.directory,
    exchange: options.exchange,
    patience: options.patience,
    password: options.password,
    userId: progress.userId,
  };
  const done = new Set(progress.completed.map((r) => r.step));
  for (const step of planOf(spec)) {
    if (done.has(step.name)) continue;
    await options.onStepStarted?.(step.name);
    const result = await step.run(ctx);
    progress.userId = ctx.userId;
    progress.completed.push(result);
    await options.onStepDone?.(progress, result);
  }
  return progress;
}

/**
 * After the product's first sign-in: give the account a lesser role, then take Global Administrator
 * away. Safe to run again: it only adds what is missing and removes what is there.
 */
export async function downgradeAccount(options: {
  directory: Directory;
  exchange: Exchange;
  patience: Patience;
  userId: string;
  spec: ServiceAccountSpec;
  targetRoleId?: string;
}): Promise<{ granted: StepResult; removedGlobalAdministrator: number }> {
  const target = options.targetRoleId ?? ROLE.serviceSupportAdministrator;
  if (target === ROLE.globalAdministrator) {
    throw new AppError('BadRequest', 'The downgrade role must be a role other than Global Administrator.');
  }
  const ctx: StepContext = { ...options, password: '', userId: options.userId };
  const granted = await ensureRole(ctx, target, 'downgradeRole');
  const globalAdmin = await options.directory.listRoleAssignments({
    principalId: options.userId,
    roleDefinitionId: ROLE.globalAdministrator,
  });
  let removed = 0;
  for (const assignment of globalAdmin) {
    try {
      await options.directory.deleteRoleAssignment(assignment.id);
      removed++;
    } catch (error) {
      if (!isAppError(error, 'NotFound')) throw error; // removed meanwhile: the goal holds
    }
  }
  return { granted, removedGlobalAdministrator: removed };
}

/**
 * "Remove what was created" after a failed run: deletes the user only when this request created it
 * (its creation marker), which also releases its licence and role assignments. Never touches an
 * account someone else made.
 */
export async function removeCreatedAccount(
  directory: Directory,
  spec: Pick<ServiceAccountSpec, 'requestId' | 'username' | 'domain'>,
): Promise<{ removed: boolean; detail: string }> {
  const upn = userPrincipalName(spec);
  const user = await directory.findUser(upn);
  if (user === undefined)
    return { removed: false, detail: `${upn} does not exist; there was nothing to remove.` };
  if (user.employeeType !== creationMarker(spec.requestId)) {
    throw new AppError(
      'Conflict',
      `${upn} was not created by this request, so I will not delete it. An administrator can remove it in the Microsoft 365 admin center.`,
    );
  }
  try {
    await directory.deleteUser(user.id);
  } catch (error) {
    if (!isAppError(error, 'NotFound')) throw error;
  }
  return {
    removed: true,
    detail: `Deleted ${upn} (its licence and roles went with it). It stays in Deleted users for 30 days.`,
  };
}

/** What the engine needs to know of a request. */
export function specOf(request: ServiceAccountRequest): ServiceAccountSpec {
  return {
    requestId: request.id,
    displayName: request.details.displayName,
    username: request.details.username,
    domain: request.details.domain,
    usageLocation: request.details.usageLocation,
    contact: request.details.contact,
    ...(request.details.publicFolders === undefined
      ? {}
      : { publicFolders: { skuId: request.details.publicFolders.skuId } }),
    ...(usesImpersonation(request) ? {} : { impersonation: false }),
  };
}
