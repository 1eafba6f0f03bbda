/**
 * Provisioning for 1, 10 and 100 requests approved together: do concurrent provisionings share
 * tokens, caches and batches, or does the cost grow linearly? The bot runs in process against its
 * simulated tenant (Exchange and replication delays at zero: SIMULATOR_REPLICATION_SECONDS=0) and a
 * loopback Teams connector. Per round, N requests are submitted (unique usernames), all approved at
 * once by the approver (decideRequest, Promise.all), and waited for until each is past provisioning
 * (AwaitingReplication or Ready). Counted from the simulator's request log: Graph and Exchange round
 * trips, token requests, committed writes, wall time; then per request, and the per-request cost at
 * N=100 over N=1 (1.0 = linear). The job runner works 4 jobs at once (jobRunner.ts default), which
 * bounds what happens together.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { startBot } from '../index';
import { decideRequest } from '../useCases/decideRequest';
import { submitRequest } from '../useCases/submitRequest';
import { BENCH_PEOPLE, benchRequest } from './benchHost';
import { startConnector } from './benchLoad';

const ROUNDS = [1, 10, 100] as const;
const RUNNER_CONCURRENCY = 4;
const DEADLINE_MS = 30_000;
/** Token requests at N=100 may exceed N=1's by this much and still count as shared. */
const TOKEN_SLACK = 2;
const PAST_PROVISIONING = new Set(['AwaitingReplication', 'Ready']);

const APPROVER = { aadObjectId: BENCH_PEOPLE.megan.aadObjectId, name: BENCH_PEOPLE.megan.name };

export interface GrowthRound {
  n: number;
  graph: number;
  exchange: number;
  token: number;
  writes: number;
  ms: number;
  passed: number;
  failed: number;
}

export async function benchGrowth(
  write: (label: string, value: string | number, note?: string) => void,
): Promise<{ ok: boolean; figures: GrowthRound[]; tokensShared: boolean }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-growth-'));
  const connector = await startConnector();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_SECONDS: '1',
    SIMULATOR_REPLICATION_SECONDS: '0',
  });
  const bot = await startBot(config).catch(async (error: unknown) => {
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const simulator = bot.tenant.simulator;
  const tenantId = bot.tenant.tenantId;
  const figures: GrowthRound[] = [];
  try {
    if (simulator === undefined) throw new Error('benchGrowth needs the simulated tenant');
    let serial = 0;
    for (const n of ROUNDS) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const request = await submitRequest(bot.services, benchRequest(`svc-growth-${n}-${++serial}`));
        ids.push(request.id);
      }
      // Delivery of the pending cards is not part of the measurement.
      bot.runner.poke();
      await bot.idle();

      simulator.resetCalls();
      const began = performance.now();
      const outcomes = await Promise.all(
        ids.map((requestId) =>
          decideRequest(bot.services, { tenantId, requestId, actor: APPROVER, decision: 'approve' }),
        ),
      );
      const undecided = outcomes.filter((o) => o.kind !== 'decided').length;
      let passed = 0;
      let failed = undecided;
      const deadline = Date.now() + DEADLINE_MS;
      for (;;) {
        const states = await Promise.all(ids.map((id) => bot.services.requests.get(tenantId, id)));
        passed = states.filter((r) => r !== undefined && PAST_PROVISIONING.has(r.state)).length;
        failed = undecided + states.filter((r) => r?.state === 'Failed').length;
        if (passed + failed >= n || Date.now() > deadline) break;
        bot.runner.poke();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const ms = performance.now() - began;
      const why = new Map<string, number>();
      for (const id of ids) {
        const r = await bot.services.requests.get(tenantId, id);
        if (r?.state !== 'Failed') continue;
        const events = await bot.audit.forRequest(tenantId, id);
        const last = events[events.length - 1] as unknown as Record<string, unknown> | undefined;
        const reason = String(last?.detail ?? last?.reason ?? last?.event ?? 'unknown').slice(0, 120);
        why.set(reason, (why.get(reason) ?? 0) + 1);
      }
      const trips = simulator.roundTrips();
      const writes = simulator.calls().filter((c) => c.mutating && c.committed).length;
      const round = {
        n,
        graph: trips.graph,
        exchange: trips.exchange,
        token: trips.token,
        writes,
        ms,
        passed,
        failed,
      };
      figures.push(round);
      const per = (v: number) => (v / n).toFixed(1);
      write(
        `growth: N=${n} past provisioning`,
        `${passed} / ${n}`,
        failed === 0
          ? ''
          : `${failed} failed or not decided: ${[...why].map(([r, c]) => `${c}× ${r}`).join('; ')}`,
      );
      write(`growth: N=${n} Graph round trips`, trips.graph, `${per(trips.graph)} per request`);
      write(`growth: N=${n} Exchange round trips`, trips.exchange, `${per(trips.exchange)} per request`);
      write(`growth: N=${n} token requests`, trips.token, `${per(trips.token)} per request`);
      write(`growth: N=${n} writes`, writes, `${per(writes)} per request`);
      write(`growth: N=${n} wall time (ms)`, Math.round(ms), `${per(ms)} per request`);
    }
    const one = figures[0];
    const last = figures[figures.length - 1];
    const ratio = (key: 'graph' | 'exchange' | 'token' | 'writes' | 'ms') => {
      const a = one[key] / one.n;
      const b = last[key] / last.n;
      return a === 0 ? (b === 0 ? '1.0' : 'n/a') : (b / a).toFixed(2);
    };
    const note = `per request at N=${last.n} / per request at N=${one.n} (1.0 = linear)`;
    for (const key of ['graph', 'exchange', 'token', 'writes', 'ms'] as const)
      write(`growth: ${key} per request, N=${last.n} vs N=${one.n}`, ratio(key), note);
    const tokensShared = last.token <= one.token + TOKEN_SLACK;
    write(
      'growth: tokens shared',
      tokensShared ? 'yes' : 'no',
      `${last.token} token requests at N=${last.n}, ${one.token} at N=${one.n} (shared: at most ${TOKEN_SLACK} more)`,
    );
    write(
      'growth: job runner concurrency',
      RUNNER_CONCURRENCY,
      'jobs in flight at once (jobRunner.ts default)',
    );
    const ok = figures.every((f) => f.failed === 0 && f.passed === f.n);
    return { ok, figures, tokensShared };
  } finally {
    await bot.close();
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
