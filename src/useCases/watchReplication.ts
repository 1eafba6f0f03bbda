/**
 * After provisioning, Exchange is watched until the account is an effective ApplicationImpersonation
 * user, or, where the sync product's app is granted (with or without an account), until
 * Test-ServicePrincipalAuthorization lists each of its roles (and the settle time has passed). Story: only a request in `AwaitingReplication` (a Ready one
 * not yet announced is announced) → one poll → still waiting: the progress card says what the poll
 * saw, and the next poll is scheduled with back-off → seen: `AwaitingReplication → Ready`
 * (compare-and-set; only the winner announces) → `announceReady` → timed out: `→ Failed`, with what to
 * check in the Exchange admin center.
 */
import { progressViewOf } from '../domain/progress';
import {
  judgePoll,
  MAX_POLL_MS,
  pollReplication,
  type ReplicationPolicy,
  type ReplicationWatch,
  startWatch,
} from '../domain/replication';
import { userPrincipalName } from '../domain/provisioningSteps';
import { appGrant, requestSubject, systemRecord } from '../domain/request';
import { appAccessInPlace } from '../domain/appAccessSteps';
import { utcMinutes } from '../domain/time';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import { type AnnounceServices, announceReady } from './announceReady';
import type { RequestKey } from './pendingWork';
import type { Services } from './services';
import { literal } from '../domain/words';

function watchOf(raw: Record<string, unknown>): ReplicationWatch | undefined {
  const w = raw.watch as Partial<ReplicationWatch> | undefined;
  if (typeof w?.since !== 'string' || typeof w.consecutive !== 'number' || typeof w.polls !== 'number')
    return undefined;
  if (typeof w.delayMs !== 'number') return undefined;
  return w as ReplicationWatch;
}

export async function watchReplication(
  services: AnnounceServices & Pick<Services, 'exchange' | 'appAccess'>,
  key: RequestKey,
  run: WorkRun,
): Promise<WorkOutcome> {
  const policy: ReplicationPolicy = { ...services.settings.replication, maxPollMs: MAX_POLL_MS };
  const request = await services.requests.get(key.tenantId, key.requestId);
  if (request?.state === 'Ready') {
    // A run that made it Ready and stopped before telling anyone: finish announcing it.
    if (request.announcedAt === undefined)
      await announceReady(services, request, 'announced after a restart');
    return { kind: 'done' };
  }
  if (request?.state !== 'AwaitingReplication') return { kind: 'done' };
  const now = services.now();
  const since = typeof run.saved.since === 'string' ? new Date(run.saved.since) : now;
  const watch = watchOf(run.saved) ?? startWatch(since, policy);
  const progress = await services.provisioning.get(request);
  const account = {
    id: progress.progress?.userId,
    upn: userPrincipalName(request.details),
    username: request.details.username,
  };
  const grant = appGrant(request);
  const verdict =
    grant !== undefined
      ? judgePoll((await appAccessInPlace(services.appAccess, grant)).ready, watch, policy, now)
      : await pollReplication(services.exchange, account, watch, policy, now);
  const data = { ...run.saved, watch: verdict.watch };

  if (verdict.kind === 'wait') {
    const seen =
      grant !== undefined
        ? verdict.watch.lastSeen === true
          ? 'Exchange lists every role'
          : 'Exchange does not list every role yet'
        : verdict.watch.lastSeen === true
          ? 'Exchange shows the account'
          : 'not yet visible in Exchange';
    await services.notifier.showProgress(request, {
      ...progressViewOf(request, progress),
      replication: { since: watch.since, lastSeen: `${utcMinutes(now.toISOString())}: ${seen}` },
    });
    return { kind: 'retryAt', at: verdict.at, data, resetAttempts: true };
  }

  const at = now.toISOString();
  if (verdict.kind === 'timeout') {
    const failed = await services.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: ['AwaitingReplication'] },
      { state: 'Failed', at },
    );
    const minutes = Math.round(policy.timeoutMs / 60_000);
    const message =
      grant !== undefined
        ? `Exchange did not report ${grant.roles.join(', ')} for ${literal(grant.displayName)} within ${minutes} minutes. ` +
          `Check with Test-ServicePrincipalAuthorization -Identity ${grant.appId} in Exchange Online PowerShell, then press Retry.`
        : `Exchange did not show ${account.upn} as a member of the "App Impersonation" role group with ApplicationImpersonation within ${minutes} minutes. ` +
          'Check in the Exchange admin center (Roles → Admin roles → App Impersonation) that the account is a member and the role is assigned, then press Retry.';
    if (failed !== undefined) {
      await services.audit.append(
        systemRecord(
          request,
          'failed',
          'Failed',
          at,
          `replication not seen after ${verdict.watch.polls} polls`,
        ),
      );
      await services.notifier.showProgress(
        failed,
        progressViewOf(failed, { ...progress, failure: { message } }),
      );
      await services.notifier.tell(
        failed,
        'requester',
        `Setting up ${grant !== undefined ? requestSubject(request) : account.upn} stopped: ${message}`,
      );
    }
    return { kind: 'failed', error: 'replication timeout', data };
  }

  const ready = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['AwaitingReplication'] },
    { state: 'Ready', at },
  );
  if (ready === undefined) return { kind: 'done', data };
  await run.checkpoint(data);
  await announceReady(services, ready, `replication seen on ${verdict.watch.consecutive} polls in a row`);
  return { kind: 'done', data };
}
