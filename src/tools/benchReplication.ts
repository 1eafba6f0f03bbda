/**
 * How often the replication watch asks Exchange while a grant replicates, and how late it notices:
 * the bot's own policy (`judgePoll`, `pollReplication`, `appAccessInPlace`, with the replication
 * defaults `loadConfig` gives — live and simulated) driven exactly as the job is, each poll at the
 * verdict's `at`, on a simulated tenant whose clock is moved forward (no real waiting: a 40-minute
 * replication takes a second or two). Counted from the simulator's request log: polls, Exchange round
 * trips, and the detection delay (when the watch says ready minus when Exchange first showed the
 * grant). Baseline, in the same run on the same kind of tenant: a fixed 1-minute poll with the same
 * readiness rule (settle time, sightings in a row). Target: at most 20 polls until ready.
 *
 * Classic: the account joins "App Impersonation" and the simulator's replication delay is 40 minutes.
 * RBAC for Applications: the simulator lists an app's roles at once (it does not model Exchange's
 * permission cache), so a 40-minute replication is modelled by taking the grant's role assignments
 * away right after `grantAppAccess` and granting them again 40 minutes later; the case as the
 * simulator shows it (roles listed at once, only the settle time to wait) is printed too.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { SimulatorCredential } from '../adapters/credentials';
import { DEFAULT_RETRY } from '../adapters/retry';
import { createTenantPorts } from '../adapters/tenantConnection';
import { type Config, loadConfig } from '../config';
import type { AppAccessSpec } from '../domain/appAccess';
import { appAccessInPlace, grantAppAccess } from '../domain/appAccessSteps';
import { systemClock } from '../domain/ports';
import { provisionAccount } from '../domain/provisionAccount';
import { userPrincipalName } from '../domain/provisioningSteps';
import {
  judgePoll,
  MAX_POLL_MS,
  pollReplication,
  type ReplicationPolicy,
  type ReplicationVerdict,
  startWatch,
} from '../domain/replication';
import { IMPERSONATION_ROLE_GROUP } from '../domain/wellKnown';
import { CIRASYNC_SERVICE_PRINCIPAL, startTenantSimulator, type TenantSimulator } from '../simulator';

type Write = (label: string, value: string | number, note?: string) => void;

const TENANT_ID = 'b3c1f7a2-0d4e-4f5a-9b6c-7d8e9f0a1b2c';
const REPLICATION_MS = 40 * 60_000;
const POLL_TARGET = 20;
const BASELINE_POLL_MS = 60_000;
/** Sim tokens live 3599 s; a fresh one is fetched once the simulator's clock has moved this far. */
const TOKEN_REFRESH_MS = 30 * 60_000;
/** A loop that never ends is a bug here, not a figure. */
const MAX_POLLS = 1_000;

export interface ReplicationFigure {
  /** Which watch and which policy, e.g. "classic, live defaults". */
  label: string;
  polls: number;
  exchangeRoundTrips: number;
  /** From the watch's start to the verdict "ready" (ms of simulated time). */
  readyAfterMs: number;
  /** From when Exchange first showed the grant to the verdict "ready" (ms of simulated time). */
  detectionDelayMs: number;
  outcome: ReplicationVerdict['kind'];
}

export interface ReplicationBenchResult {
  ok: boolean;
  figures: ReplicationFigure[];
}

/** The replication timers of the bot's default start, live and simulated (loadConfig's own defaults). */
function defaultPolicies(): { name: string; policy: ReplicationPolicy }[] {
  const live = loadConfig({
    TENANT_MODE: 'live',
    AAD_APP_TENANT_ID: TENANT_ID,
    AAD_APP_CLIENT_ID: '00000000-0000-0000-0000-00000000b0b0',
    AAD_APP_CLIENT_SECRET: 'bench-only',
  });
  const simulated = loadConfig({});
  const policy = (config: Config): ReplicationPolicy => ({ ...config.replication, maxPollMs: MAX_POLL_MS });
  return [
    { name: 'live defaults', policy: policy(live) },
    { name: 'simulated defaults', policy: policy(simulated) },
  ];
}

/** A fixed 1-minute poll with the same readiness rule (settle time, sightings in a row). */
function fixedMinute(policy: ReplicationPolicy): ReplicationPolicy {
  return { ...policy, pollMs: BASELINE_POLL_MS, maxPollMs: BASELINE_POLL_MS };
}

function describe(policy: ReplicationPolicy): string {
  const s = (ms: number) => (ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1_000} s`);
  return policy.pollMs === policy.maxPollMs
    ? `every ${s(policy.pollMs)}, settle ${s(policy.settleMs)}, ${policy.confirmations} sightings`
    : `first ${s(policy.pollMs)}, doubling to ${s(policy.maxPollMs)}, settle ${s(policy.settleMs)}, ${policy.confirmations} sightings, timeout ${s(policy.timeoutMs)}`;
}

/** The simulator's credential, fetched again once the simulator's clock has moved past a token's life. */
class SimClockCredential implements TokenCredential {
  private inner: SimulatorCredential | undefined;
  private fetchedAt = 0;

  constructor(private readonly sim: TenantSimulator) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.inner === undefined || this.sim.clock.now() - this.fetchedAt > TOKEN_REFRESH_MS) {
      this.inner = new SimulatorCredential(
        this.sim.authorityHost,
        TENANT_ID,
        this.sim.clientCredential.clientId,
        this.sim.clientCredential.clientSecret,
      );
      this.fetchedAt = this.sim.clock.now();
    }
    return this.inner.getToken(scopes, options);
  }
}

async function simulatedTenant(scenario: 'classic' | 'current') {
  const sim = await startTenantSimulator({
    tenantId: TENANT_ID,
    scenario,
    delays: { exchangeRecipientMs: 0, mailboxMs: 0, replicationMs: REPLICATION_MS },
  });
  const ports = createTenantPorts(
    {
      tenantId: TENANT_ID,
      graphEndpoint: sim.graphEndpoint,
      exchangeEndpoint: sim.exchangeEndpoint,
      credential: new SimClockCredential(sim),
    },
    { ...DEFAULT_RETRY, clock: systemClock },
  );
  return { sim, ports };
}

/**
 * The job's loop: poll, and while the verdict says wait, move the simulator's clock and the fake
 * `now` to `verdict.at` and poll again. `beforePoll` may change the tenant at a given time (not counted).
 */
async function drive(
  sim: TenantSimulator,
  policy: ReplicationPolicy,
  poll: (watch: ReturnType<typeof startWatch>, now: Date) => Promise<ReplicationVerdict>,
  beforePoll: (now: number) => Promise<void> = async () => {},
): Promise<{ verdict: ReplicationVerdict; since: number; at: number; exchange: number }> {
  let now = sim.clock.now();
  const since = now;
  let watch = startWatch(new Date(since), policy);
  let exchange = 0;
  for (let n = 0; n < MAX_POLLS; n++) {
    await beforePoll(now);
    sim.resetCalls();
    const verdict = await poll(watch, new Date(now));
    exchange += sim.roundTrips().exchange;
    if (verdict.kind !== 'wait') return { verdict, since, at: now, exchange };
    watch = verdict.watch;
    const step = verdict.at - now;
    if (step > 0) sim.advance(step);
    now = verdict.at;
  }
  throw new Error(`The watch did not finish within ${MAX_POLLS} polls`);
}

/** Classic: provision an account (its role group step at the watch's start), then watch it replicate. */
async function classic(label: string, policy: ReplicationPolicy): Promise<ReplicationFigure> {
  const { sim, ports } = await simulatedTenant('classic');
  try {
    const spec = {
      requestId: 'bench-replication',
      displayName: 'CiraSync Service',
      username: 'bench-replication',
      domain: 'contoso.com',
      usageLocation: 'US',
      contact: { department: 'IT' },
    };
    const progress = await provisionAccount(spec, {
      ...ports,
      patience: { clock: systemClock, timeoutMs: 60_000, initialDelayMs: 50, maxDelayMs: 500 },
      password: 'Bench#Passw0rd-2026-xyzQ',
    });
    const upn = userPrincipalName(spec);
    const account = { id: progress.userId, upn, username: spec.username };
    const group = sim.state().roleGroups.find((g) => g.name === IMPERSONATION_ROLE_GROUP);
    const member = group?.members.find((m) => m.userId === progress.userId);
    if (member === undefined) throw new Error(`${upn} is not in "${IMPERSONATION_ROLE_GROUP}"`);
    const replicatedAt = member.addedAtMs + REPLICATION_MS;
    const run = await drive(sim, policy, (watch, now) =>
      pollReplication(ports.exchange, account, watch, policy, now),
    );
    return figure(label, run, replicatedAt);
  } finally {
    await sim.close();
  }
}

/**
 * RBAC for Applications: grant the app, then watch until Test-ServicePrincipalAuthorization lists
 * every role. `replicationMs` undefined: the roles are listed at once (as the simulator has it);
 * otherwise they are taken away and granted again that long after the watch's start.
 */
async function rbac(
  label: string,
  policy: ReplicationPolicy,
  replicationMs: number | undefined,
): Promise<ReplicationFigure> {
  const { sim, ports } = await simulatedTenant('current');
  try {
    const principal = await ports.directory.findServicePrincipal(CIRASYNC_SERVICE_PRINCIPAL.appId);
    if (principal === undefined) throw new Error('The simulated tenant has no CiraSync app');
    const grant: AppAccessSpec = {
      requestId: 'bench-replication-app',
      appId: principal.appId,
      servicePrincipalId: principal.id,
      displayName: principal.displayName,
      roles: ['Application Contacts.ReadWrite'],
      scope: { kind: 'filter', filter: "CustomAttribute1 -eq 'CiraSync'" },
    };
    await grantAppAccess(grant, { exchange: ports.appAccess });
    let replicatedAt = sim.clock.now();
    let regrantAt: number | undefined;
    if (replicationMs !== undefined) {
      sim.change.removeAppRoleAssignments(grant.appId);
      regrantAt = sim.clock.now() + replicationMs;
    }
    const run = await drive(
      sim,
      policy,
      async (watch, now) =>
        judgePoll((await appAccessInPlace(ports.appAccess, grant)).ready, watch, policy, now),
      async (now) => {
        if (regrantAt === undefined || now < regrantAt) return;
        await grantAppAccess(grant, { exchange: ports.appAccess });
        replicatedAt = regrantAt;
        regrantAt = undefined;
      },
    );
    return figure(label, run, replicatedAt);
  } finally {
    await sim.close();
  }
}

function figure(
  label: string,
  run: { verdict: ReplicationVerdict; since: number; at: number; exchange: number },
  replicatedAt: number,
): ReplicationFigure {
  return {
    label,
    polls: run.verdict.watch.polls,
    exchangeRoundTrips: run.exchange,
    readyAfterMs: run.at - run.since,
    detectionDelayMs: run.at - replicatedAt,
    outcome: run.verdict.kind,
  };
}

const minutes = (ms: number) => (ms / 60_000).toFixed(1);

export async function benchReplication(write: Write): Promise<ReplicationBenchResult> {
  const figures: ReplicationFigure[] = [];
  let ok = true;
  const report = (
    f: ReplicationFigure,
    policy: ReplicationPolicy,
    baseline: ReplicationFigure | undefined,
  ): void => {
    figures.push(f);
    const met = f.outcome === 'ready' && f.polls <= POLL_TARGET;
    const verdict =
      baseline === undefined
        ? `baseline (${describe(policy)})`
        : `${met ? 'ok' : 'MISSED'} (target: <= ${POLL_TARGET}, ready); ${describe(policy)}`;
    if (baseline !== undefined && !met) ok = false;
    write(`replication: ${f.label}: polls until ${f.outcome}`, f.polls, verdict);
    write(`  Exchange round trips`, f.exchangeRoundTrips);
    write(`  ready after the watch's start (min)`, minutes(f.readyAfterMs));
    write(
      `  detection delay (min)`,
      minutes(f.detectionDelayMs),
      'verdict "ready" minus when Exchange first showed the grant',
    );
  };
  const ratio = (f: ReplicationFigure, base: ReplicationFigure): void =>
    write(
      `  policy / fixed 1-min baseline: polls, delay`,
      `${(f.polls / base.polls).toFixed(2)}x`,
      `${f.polls} vs ${base.polls} polls; delay ${minutes(f.detectionDelayMs)} vs ${minutes(base.detectionDelayMs)} min`,
    );

  for (const { name, policy } of defaultPolicies()) {
    const base = fixedMinute(policy);
    const cases: [string, (p: ReplicationPolicy, label: string) => Promise<ReplicationFigure>][] = [
      ['classic, 40-min replication', (p, label) => classic(label, p)],
      ['RBAC for Applications, 40-min replication (modelled)', (p, label) => rbac(label, p, REPLICATION_MS)],
      ['RBAC for Applications, roles listed at once', (p, label) => rbac(label, p, undefined)],
    ];
    for (const [title, run] of cases) {
      const baseline = await run(base, `${title}, fixed 1-min polls`);
      const measured = await run(policy, `${title}, ${name}`);
      report(measured, policy, baseline);
      report(baseline, base, undefined);
      ratio(measured, baseline);
    }
  }
  return { ok, figures };
}
