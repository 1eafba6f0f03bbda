/**
 * The replication watch and the hand-over. Polls Exchange with back-off until the account is an
 * effective ApplicationImpersonation user (and the settle time has passed), then makes the request
 * `Ready`, opens the password's hand-over window, and tells the requester (with Reveal password and
 * Downgrade role) and the approver. A watch that times out fails the request with what to check.
 */
import { progressCard } from '../../cards/progressCard';
import { utcMinutes } from '../../cards/renderCard';
import type { PasswordVault } from '../adapters/secrets/passwordVault';
import type { CardCopyStore } from '../adapters/teams/cardCopies';
import type { RequestMessages } from '../adapters/teams/requestMessages';
import type { Directory, Exchange } from '../domain/ports';
import { userPrincipalName } from '../domain/provisioningSteps';
import {
  MAX_POLL_MS,
  pollReplication,
  type ReplicationPolicy,
  type ReplicationWatch,
  startWatch,
} from '../domain/replication';
import { type ServiceAccountRequest, SYSTEM_ACTOR, systemRecord } from '../domain/request';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import { ROLE_NAMES } from '../domain/wellKnown';
import { isAppError } from '../domain/errors';
import { type JobRecord, type JobStore, scheduleJob } from './jobs';
import type { JobHandler, JobOutcome } from './jobRunner';
import { progressViewOf, provisionData, provisionJobId } from './provisioningJob';

export const PASSWORD_PURGE_JOB = 'password.purge';

export function passwordPurgeJobId(tenantId: string, requestId: string): string {
  return `${PASSWORD_PURGE_JOB}:${tenantId}:${requestId}`;
}

/** The password is forgotten at `at` (a new deadline replaces an earlier one). */
export async function schedulePurge(
  jobs: JobStore,
  request: Pick<ServiceAccountRequest, 'tenantId' | 'id'>,
  at: number,
  now: number,
): Promise<void> {
  await scheduleJob(
    jobs,
    {
      id: passwordPurgeJobId(request.tenantId, request.id),
      kind: PASSWORD_PURGE_JOB,
      tenantId: request.tenantId,
      requestId: request.id,
      runAt: at,
    },
    now,
  );
}

/** Where the password goes instead of the Reveal button (Azure Key Vault), when configured. */
export interface PasswordHandOver {
  /** The vault, as admins know it. */
  vaultUrl: string;
  secretExpiryMs: number;
  store(input: {
    name: string;
    value: string;
    requestId: string;
    expiresOn: Date;
  }): Promise<{ name: string; version: string; id: string }>;
  secretName(upn: string, requestId: string): string;
}

/**
 * Puts the request's password in Key Vault and forgets the local copy. Returns where it went, or why
 * it could not (the password then stays sealed here for the Reveal button).
 */
export async function handOverToKeyVault(
  deps: Pick<ReplicationJobDeps, 'passwords' | 'audit' | 'now'> & { handOver: PasswordHandOver },
  request: ServiceAccountRequest,
  actor: { aadObjectId: string; name: string },
  password?: string,
): Promise<{ ok: true; name: string; expiresOn: string } | { ok: false; reason: string }> {
  const value = password ?? (await deps.passwords.reveal(request.tenantId, request.id));
  if (value === undefined) return { ok: false, reason: 'the password was already forgotten' };
  const now = deps.now();
  const expiresOn = new Date(now.getTime() + deps.handOver.secretExpiryMs);
  const name = deps.handOver.secretName(userPrincipalName(request.details), request.id);
  try {
    const stored = await deps.handOver.store({ name, value, requestId: request.id, expiresOn });
    await deps.passwords.purge(request.tenantId, request.id, now);
    await deps.audit.append({
      requestId: request.id,
      tenantId: request.tenantId,
      event: 'password handed over',
      actor,
      at: now.toISOString(),
      outcome: request.state,
      detail: `Key Vault ${deps.handOver.vaultUrl}, secret ${stored.name}, version ${stored.version}, expires ${expiresOn.toISOString()}`,
    });
    return { ok: true, name: stored.name, expiresOn: expiresOn.toISOString() };
  } catch (error) {
    return {
      ok: false,
      reason: isAppError(error) ? error.userMessage : 'Key Vault did not answer as expected',
    };
  }
}

export interface ReplicationJobDeps {
  requests: RequestStore;
  audit: AuditLog;
  jobs: JobStore;
  directory: Directory;
  exchange: Exchange;
  passwords: PasswordVault;
  messages: RequestMessages;
  policy: Omit<ReplicationPolicy, 'maxPollMs'>;
  passwordRevealMs: number;
  downgradeRoleId: string;
  handOver?: PasswordHandOver;
  copies: CardCopyStore;
  now: () => Date;
}

function watchOf(raw: Record<string, unknown>): ReplicationWatch | undefined {
  const w = raw.watch as Partial<ReplicationWatch> | undefined;
  if (typeof w?.since !== 'string' || typeof w.consecutive !== 'number' || typeof w.polls !== 'number')
    return undefined;
  if (typeof w.delayMs !== 'number') return undefined;
  return w as ReplicationWatch;
}

/** Where the password is, for the "ready" note. */
export type PasswordWhere =
  { kind: 'reveal'; until: string } | { kind: 'keyVault'; vaultUrl: string; name: string; expiresOn: string };

/** The "ready" note: what was done and the next steps, in order. */
export function readyNote(
  request: ServiceAccountRequest,
  where: PasswordWhere,
  downgradeRoleId: string,
): string {
  const upn = userPrincipalName(request.details);
  const role = ROLE_NAMES[downgradeRoleId] ?? 'the downgrade role';
  const password =
    where.kind === 'reveal'
      ? `1. Press **Reveal password** (until ${utcMinutes(where.until)}; after that the bot forgets it and **Reset password** makes a new one).`
      : `1. Read its password in Key Vault ${where.vaultUrl}, secret **${where.name}** (readable until ${utcMinutes(where.expiresOn)}; **Reset password** stores a new version there).`;
  return [
    `**${upn}** is ready: it is a Global Administrator, its password never expires, and Exchange now lets it use ApplicationImpersonation.`,
    password,
    `2. Launch CiraSync Enterprise setup and sign in as ${upn}.`,
    `3. After that first sign-in, press **Downgrade role**: the account gets ${role} and loses Global Administrator.`,
  ].join('\n\n');
}

export function replicationJobHandler(deps: ReplicationJobDeps): JobHandler {
  const policy: ReplicationPolicy = { ...deps.policy, maxPollMs: MAX_POLL_MS };
  return async (job: JobRecord, ctx): Promise<JobOutcome> => {
    const request = await deps.requests.get(job.tenantId, job.requestId);
    if (request?.state === 'Ready') {
      // A run that made it Ready and stopped before telling anyone: finish announcing it.
      if (request.announcedAt === undefined) await announceReady(deps, request, 'announced after a restart');
      return { kind: 'done' };
    }
    if (request?.state !== 'AwaitingReplication') return { kind: 'done' };
    const now = deps.now();
    const since = typeof job.data.since === 'string' ? new Date(job.data.since) : now;
    const watch = watchOf(job.data) ?? startWatch(since, policy);
    const provision = await deps.jobs.get(provisionJobId(request.tenantId, request.id));
    const progress = provisionData(provision?.data ?? {});
    const account = {
      id: progress.progress?.userId,
      upn: userPrincipalName(request.details),
      username: request.details.username,
    };
    const verdict = await pollReplication(deps.exchange, account, watch, policy, now);
    const data = { ...job.data, watch: verdict.watch };

    if (verdict.kind === 'wait') {
      const lastSeen = `${utcMinutes(now.toISOString())}: ${verdict.watch.lastSeen === true ? 'Exchange shows the account' : 'not yet visible in Exchange'}`;
      await deps.messages.showProgress(
        request,
        progressCard({ ...progressViewOf(request, progress), replication: { since: watch.since, lastSeen } }),
      );
      return { kind: 'retryAt', at: verdict.at, data, resetAttempts: true };
    }

    const at = now.toISOString();
    if (verdict.kind === 'timeout') {
      const failed = await deps.requests.transition(
        request.tenantId,
        request.id,
        { version: request.version, from: ['AwaitingReplication'] },
        { state: 'Failed', at },
      );
      const minutes = Math.round(policy.timeoutMs / 60_000);
      const message =
        `Exchange did not show ${account.upn} as a member of the "App Impersonation" role group with ApplicationImpersonation within ${minutes} minutes. ` +
        'Check in the Exchange admin center (Roles → Admin roles → App Impersonation) that the account is a member and the role is assigned, then press Retry.';
      if (failed !== undefined) {
        await deps.audit.append(
          systemRecord(
            request,
            'failed',
            'Failed',
            at,
            `replication not seen after ${verdict.watch.polls} polls`,
          ),
        );
        await deps.messages.showProgress(
          failed,
          progressCard({ ...progressViewOf(failed, { ...progress, failure: { message } }) }),
        );
        await deps.messages.tell(failed, 'requester', `Setting up ${account.upn} stopped: ${message}`);
      }
      return { kind: 'failed', error: 'replication timeout', data };
    }

    const ready = await deps.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: ['AwaitingReplication'] },
      { state: 'Ready', at },
    );
    if (ready === undefined) return { kind: 'done', data };
    await ctx.checkpoint(data);
    await announceReady(deps, ready, `replication seen on ${verdict.watch.consecutive} polls in a row`);
    return { kind: 'done', data };
  };
}

/**
 * Where the password goes once the account is ready: Key Vault when configured (and willing), else the
 * Reveal window. Safe to run again after a crash: a password already handed over is not sent twice,
 * and a Reveal window already open keeps its deadline.
 */
async function handOverPassword(
  deps: ReplicationJobDeps,
  request: ServiceAccountRequest,
): Promise<{ where: PasswordWhere; problem: string }> {
  const now = deps.now();
  const state = await deps.passwords.state(request.tenantId, request.id);
  let problem = '';
  if (deps.handOver !== undefined) {
    if (state.kind === 'held' && state.revealUntil === undefined) {
      const handed = await handOverToKeyVault({ ...deps, handOver: deps.handOver }, request, SYSTEM_ACTOR);
      if (handed.ok)
        return { where: { kind: 'keyVault', vaultUrl: deps.handOver.vaultUrl, ...handed }, problem };
      problem = `I could not put the password in Key Vault (${handed.reason}), so it is here instead. `;
    } else if (state.kind !== 'held') {
      // An earlier run handed it over and stopped before telling anyone.
      const record = (await deps.audit.forRequest(request.tenantId, request.id)).find(
        (r) => r.event === 'password handed over',
      );
      if (record !== undefined) {
        return {
          where: {
            kind: 'keyVault',
            vaultUrl: deps.handOver.vaultUrl,
            name: deps.handOver.secretName(userPrincipalName(request.details), request.id),
            expiresOn: new Date(Date.parse(record.at) + deps.handOver.secretExpiryMs).toISOString(),
          },
          problem,
        };
      }
    }
  }
  const until =
    state.kind === 'held' && state.revealUntil !== undefined
      ? state.revealUntil
      : new Date(now.getTime() + deps.passwordRevealMs).toISOString();
  await deps.passwords.setRevealUntil(request.tenantId, request.id, new Date(until));
  await schedulePurge(deps.jobs, request, Date.parse(until), now.getTime());
  return { where: { kind: 'reveal', until }, problem };
}

/**
 * Everything that follows "Ready": the audit record, the password hand-over, the progress card, every
 * copy of the approval card, the "ready" message to both admins — then `announcedAt` on the request.
 * Each part before the message is safe to repeat, so a run that resumes after a crash in the middle
 * finishes what is missing; the message itself goes out again only if the crash came before it was
 * recorded.
 */
async function announceReady(deps: ReplicationJobDeps, ready: ServiceAccountRequest, detail: string) {
  const trail = await deps.audit.forRequest(ready.tenantId, ready.id);
  if (!trail.some((r) => r.event === 'ready')) {
    await deps.audit.append(systemRecord(ready, 'ready', 'Ready', deps.now().toISOString(), detail));
  }
  const { where, problem } = await handOverPassword(deps, ready);
  const provision = await deps.jobs.get(provisionJobId(ready.tenantId, ready.id));
  const progress = provisionData(provision?.data ?? {});
  await deps.messages.showProgress(ready, progressCard(progressViewOf(ready, progress)));
  await deps.messages.updateCopies(ready);
  const sent = await deps.messages.sendReady(ready, {
    requesterCard: progressCard({
      ...progressViewOf(ready, progress),
      ready: {
        note: problem + readyNote(ready, where, deps.downgradeRoleId),
        canReveal: where.kind === 'reveal',
        canReset: true,
        canDowngrade: true,
        facts: (progress.progress?.completed ?? []).map((r) => ({ title: '✓', value: r.detail })),
      },
    }),
    approverText:
      `${ready.details.username}@${ready.details.domain}, which you approved for ${ready.requester.name}, is ready. ` +
      `${ready.requester.name} has the next steps; after CiraSync's first sign-in either of you can press Downgrade role.`,
  });
  for (const [who, reached] of [
    ['requester', sent.requester],
    ['approver', sent.approver],
  ] as const) {
    if (reached) continue;
    await deps.audit.append(
      systemRecord(
        ready,
        'delivery failed',
        'Ready',
        deps.now().toISOString(),
        `the ready message could not reach the ${who} (${who === 'requester' ? ready.requester.name : ready.approver.name})`,
      ),
    );
  }
  await deps.requests.recordAnnounced(ready.tenantId, ready.id, deps.now().toISOString());
}

/** At the hand-over deadline the password is forgotten for good. */
export function passwordPurgeHandler(deps: {
  passwords: PasswordVault;
  audit: AuditLog;
  now: () => Date;
}): JobHandler {
  return async (job) => {
    const state = await deps.passwords.state(job.tenantId, job.requestId);
    const now = deps.now();
    if (state.kind !== 'held') return { kind: 'done' };
    if (state.revealUntil !== undefined && Date.parse(state.revealUntil) > now.getTime())
      return { kind: 'retryAt', at: Date.parse(state.revealUntil) };
    if (await deps.passwords.purge(job.tenantId, job.requestId, now)) {
      await deps.audit.append(
        systemRecord(
          { id: job.requestId, tenantId: job.tenantId },
          'password purged',
          'Ready',
          now.toISOString(),
        ),
      );
    }
    return { kind: 'done' };
  };
}
