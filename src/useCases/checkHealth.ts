/**
 * The health watch. Story: one job per ready account, every `healthCheckMs` → read the directory and
 * Exchange about the account (at most two Graph and one Exchange round trip) → judge it
 * (`evaluateHealth`) → compare-and-set the account's health record → only the writer that changed it
 * acts: one card to the owners for problems not seen before (never the same one twice in a row), one
 * "healthy again" once the last problem is gone, each audited.
 *
 * A request that is no longer Ready ends the watch. A check that cannot read the tenant keeps the last
 * problems, says why in the record (the `health` list shows it) and tries again.
 */
import {
  evaluateHealth,
  FIX_GRANTS_PRIVILEGE,
  FIX_TITLES,
  type HealthExpectations,
  type HealthProblem,
  PUBLIC_FOLDER_ROOT,
} from '../domain/accountHealth';
import { isAppError } from '../domain/errors';
import type { ProvisionData } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import {
  appGrant,
  createsAccount,
  ownersOf,
  requestSubject,
  type ServiceAccountRequest,
  systemRecord,
  usesImpersonation,
} from '../domain/request';
import { utcMinutes } from '../domain/time';
import { IMPERSONATION_ROLE_GROUP } from '../domain/wellKnown';
import { count } from '../domain/words';
import type { HealthRecord, HealthView, WorkOutcome, WorkRun } from '../domain/workPorts';
import type { Services } from './services';

export type HealthServices = Pick<
  Services,
  | 'requests'
  | 'provisioning'
  | 'directory'
  | 'exchange'
  | 'health'
  | 'notifier'
  | 'audit'
  | 'now'
  | 'settings'
>;

/** A failed read is tried again this soon, however long the interval between checks. */
const RETRY_UNREADABLE_MS = 15 * 60_000;

/** What the account should be now, from its request and what provisioning recorded. */
export function healthExpectations(
  services: Pick<Services, 'settings'>,
  request: ServiceAccountRequest,
  data: ProvisionData,
  now: number,
): HealthExpectations {
  const userId = data.progress?.userId;
  const readyAt = request.announcedAt === undefined ? NaN : Date.parse(request.announcedAt);
  return {
    now,
    ...(appGrant(request) === undefined ? {} : { app: appGrant(request) }),
    ...(!createsAccount(request) || userId === undefined
      ? {}
      : {
          account: {
            userId,
            userPrincipalName: userPrincipalName(request.details),
            disabledOnPurpose: request.accountDisabled !== undefined,
            ...(request.details.publicFolders === undefined
              ? {}
              : { publicFolders: request.details.publicFolders }),
            ...(usesImpersonation(request) ? { roleGroup: IMPERSONATION_ROLE_GROUP } : {}),
            downgradeRoleId: services.settings.downgradeRoleId,
            ...(services.settings.globalAdminFlagMs === undefined
              ? {}
              : { globalAdminFlagMs: services.settings.globalAdminFlagMs }),
            ...(Number.isFinite(readyAt) ? { readyAt } : {}),
          },
        }),
  };
}

/** Reads the tenant about the account (in parallel: one Graph `$batch` + MFA, one Exchange `$batch`). */
export async function readHealth(
  services: Pick<HealthServices, 'directory' | 'exchange' | 'provisioning' | 'now' | 'settings'>,
  request: ServiceAccountRequest,
): Promise<HealthProblem[]> {
  const data = await services.provisioning.get(request);
  const expected = healthExpectations(services, request, data, services.now().getTime());
  const account = expected.account;
  const [directory, exchange] = await Promise.all([
    account === undefined
      ? Promise.resolve(undefined)
      : services.directory.readAccountHealth(account.userId, request.details.domain),
    services.exchange.readAccountHealth({
      user: account?.userPrincipalName ?? '',
      ...(account?.roleGroup === undefined ? {} : { roleGroup: account.roleGroup }),
      ...(account?.publicFolders === undefined ? {} : { mailbox: true, publicFolder: PUBLIC_FOLDER_ROOT }),
      ...(expected.app === undefined ? {} : { appId: expected.app.appId }),
    }),
  ]);
  return evaluateHealth(expected, directory, exchange);
}

/**
 * Records what a check found (compare-and-set) and, for the writer that changed the record, tells the
 * owners: a card with the new problems, or "healthy again". The record written; undefined when
 * another writer kept winning.
 */
export async function recordCheck(
  services: HealthServices,
  request: ServiceAccountRequest,
  found: HealthProblem[],
): Promise<HealthRecord | undefined> {
  const at = services.now().toISOString();
  let previous: HealthRecord | undefined;
  let kept: HealthProblem[] = [];
  const record = await services.health.update(request.tenantId, request.id, (current) => {
    previous = current;
    // A mailbox follows its licence within minutes: right after the licence came back, wait for it.
    const licenceWasMissing = current?.problems.some((p) => p.code === 'licenceMissing') === true;
    kept = found.filter((p) => !(p.code === 'mailboxMissing' && licenceWasMissing));
    const pending = current?.pendingFix;
    return {
      tenantId: request.tenantId,
      requestId: request.id,
      subject: requestSubject(request),
      checkedAt: at,
      problems: kept.map((p) => {
        const known = current?.problems.find((c) => c.code === p.code);
        return {
          code: p.code,
          title: p.title,
          why: p.why,
          since: known?.since ?? at,
          ...(p.fix === undefined ? {} : { fix: p.fix }),
          // Claimed by this write: the writer that sets it is the one that sends the card.
          told: known?.told ?? at,
        };
      }),
      ...(pending !== undefined && kept.some((p) => p.code === pending.code) ? { pendingFix: pending } : {}),
    };
  });
  if (record === undefined) return undefined;
  const before = new Set((previous?.problems ?? []).map((p) => p.code));
  // New to this check, or given back by a check whose card could not be sent.
  const fresh = kept.filter((p) => previous?.problems.find((c) => c.code === p.code)?.told === undefined);
  const healthyAgain = (previous?.problems.length ?? 0) > 0 && kept.length === 0;
  for (const problem of fresh.filter((p) => !before.has(p.code))) {
    await services.audit.append(systemRecord(request, 'health problem', 'Ready', at, problem.title));
  }
  if (fresh.length > 0) {
    const headline =
      fresh.length === 1
        ? `Something changed that breaks sync for ${requestSubject(request)}.`
        : `${count(fresh.length, 'change')} break sync for ${requestSubject(request)}.`;
    try {
      for (const owner of ownersOf(request)) {
        await services.notifier.sendHealth(
          request,
          owner,
          healthView(request, record, kept, owner.aadObjectId, headline),
        );
      }
    } catch (error) {
      // Not sent: give the claim back, so the next check tells the owners.
      const unsent = new Set(fresh.map((p) => p.code));
      await services.health.update(request.tenantId, request.id, (current) =>
        current === undefined
          ? undefined
          : {
              ...current,
              problems: current.problems.map(({ told, ...problem }) =>
                told === undefined || (unsent.has(problem.code) && told === at)
                  ? problem
                  : { ...problem, told },
              ),
            },
      );
      throw error;
    }
  }
  if (healthyAgain) {
    await services.audit.append(
      systemRecord(request, 'healthy again', 'Ready', at, 'every health check passes again'),
    );
    const text = `${requestSubject(request)} is healthy again: every check passed at ${utcMinutes(at)}.`;
    for (const owner of ownersOf(request)) await services.notifier.tellPerson(request, owner, text);
  }
  return record;
}

/** The health card for one owner: every current problem, its fix, and who may approve what. */
export function healthView(
  request: ServiceAccountRequest,
  record: HealthRecord,
  problems: readonly HealthProblem[],
  viewerId: string,
  headline: string,
): HealthView {
  const pending = record.pendingFix;
  return {
    requestId: request.id,
    subject: requestSubject(request),
    headline,
    checkedAt: record.checkedAt ?? record.problems[0]?.since ?? '',
    problems: problems.map((p) => {
      const mine =
        pending?.code === p.code && pending.by.aadObjectId.toLowerCase() === viewerId.toLowerCase();
      const theirs = pending?.code === p.code && !mine;
      return {
        code: p.code,
        title: p.title,
        why: p.why,
        ...(p.fix === undefined || pending?.code === p.code
          ? {}
          : { fix: { title: FIX_TITLES[p.fix], needsApproval: FIX_GRANTS_PRIVILEGE[p.fix] } }),
        ...(theirs && pending !== undefined ? { approve: { askedBy: pending.by.name } } : {}),
        ...(mine ? { waiting: true } : {}),
      };
    }),
  };
}

/** The job: check, record, tell; then the next check. */
export async function checkHealth(
  services: HealthServices,
  key: { tenantId: string; requestId: string },
  run: WorkRun,
): Promise<WorkOutcome> {
  void run;
  const request = await services.requests.get(key.tenantId, key.requestId);
  if (request === undefined || request.state !== 'Ready') return { kind: 'done' };
  const now = services.now().getTime();
  let found: HealthProblem[];
  try {
    found = await readHealth(services, request);
  } catch (error) {
    const reason = isAppError(error) ? error.userMessage : 'The tenant could not be read.';
    await services.health.update(request.tenantId, request.id, (current) => ({
      tenantId: request.tenantId,
      requestId: request.id,
      subject: requestSubject(request),
      problems: current?.problems ?? [],
      ...(current?.checkedAt === undefined ? {} : { checkedAt: current.checkedAt }),
      ...(current?.pendingFix === undefined ? {} : { pendingFix: current.pendingFix }),
      unreadable: reason,
    }));
    return {
      kind: 'retryAt',
      at: now + Math.min(RETRY_UNREADABLE_MS, services.settings.healthCheckMs),
      error: reason,
    };
  }
  await recordCheck(services, request, found);
  return { kind: 'retryAt', at: now + services.settings.healthCheckMs, resetAttempts: true };
}

/** The first health check of an account that just became ready. */
export function healthWatchStart(settings: Pick<Services['settings'], 'healthCheckMs'>, readyAt: Date): Date {
  return new Date(readyAt.getTime() + settings.healthCheckMs);
}
