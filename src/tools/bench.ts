/**
 * `npm run bench`: what this bot costs, each figure beside a baseline measured in the same run where
 * one exists, printed and written to `bench/results/latest.json` with the machine it ran on.
 *
 * - Microsoft 365 calls per operation, from the tenant simulator's own request log (not counted by
 *   hand): pre-flight, provisioning, granting the app (targets: pre-flight in at most 2 Graph round
 *   trips, exactly one write per thing created, none on a second run).
 * - Turns beside a bare Bot Framework echo bot (`benchTurns.ts`): activities/s, p50/p99, RSS, and the
 *   heap after 10,000 turns.
 * - The Approve press while Graph and Exchange answer after 30 s (`benchApproval.ts`; targets: p99
 *   under 1 s, 20 at once p99 under 250 ms), beside a refresh that calls nothing; and every button
 *   of the ready and health cards under the same delay (target: each answered within 5 s).
 * - Waiting for replication (`benchReplication.ts`; target: at most 20 Exchange polls over a
 *   40-minute replication), beside a fixed 1-minute poll.
 * - Start-up to `/healthz` with 10,000 jobs (`benchStartup.ts`), beside an empty database.
 * - Growth: 1, 10 and 100 requests approved together (`benchGrowth.ts`).
 * - The health watch per account and for 1,000 accounts (`benchHealth.ts`), beside the same readings
 *   made one call at a time (target: at most 2 Graph and 2 Exchange round trips, no write).
 * - The durable job store with 10,000 pending jobs on SQLite (`benchJobs.ts`) and beside an Azure
 *   Table on Azurite (`benchJobStores.ts`).
 *
 * Exits 1 when a target is missed. No figure here is asserted in `npm test`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatorCredential } from '../adapters/credentials';
import { DEFAULT_RETRY } from '../adapters/retry';
import { createTenantPorts } from '../adapters/tenantConnection';
import { systemClock } from '../domain/ports';
import type { AppAccessSpec } from '../domain/appAccess';
import { appAccessInPlace, grantAppAccess } from '../domain/appAccessSteps';
import { runPreflight } from '../domain/preflight';
import { provisionAccount } from '../domain/provisionAccount';
import type { ServiceAccountSpec } from '../domain/provisioningSteps';
import { CIRASYNC_SERVICE_PRINCIPAL, SKUS, startTenantSimulator, type TenantSimulator } from '../simulator';
import { benchApproval } from './benchApproval';
import { benchGrowth } from './benchGrowth';
import { benchReplication } from './benchReplication';
import { benchStartup } from './benchStartup';
import { benchTurns } from './benchTurns';
import { benchHealth } from './benchHealth';
import { benchJobs } from './benchJobs';
import { benchJobStores } from './benchJobStores';

const TENANT_ID = 'b3c1f7a2-0d4e-4f5a-9b6c-7d8e9f0a1b2c';
const PREFLIGHT_GRAPH_TARGET = 2;

interface Measurement {
  graph: number;
  exchange: number;
  token: number;
  writes: Map<string, number>;
  ms: number;
}

const RESULTS = path.resolve(__dirname, '..', '..', '..', 'bench', 'results', 'latest.json');

interface Figure {
  group: string;
  label: string;
  value: string | number;
  note: string;
}

let missed = 0;
let group = '';
const figures: Figure[] = [];
const results: Record<string, unknown> = {};

function section(title: string): void {
  group = title;
  process.stdout.write(`\n${title}\n`);
}

function line(label: string, value: string | number, note = ''): void {
  figures.push({ group, label, value, note });
  process.stdout.write(`  ${label.padEnd(50)} ${String(value).padStart(6)}  ${note}\n`);
}

const write = (label: string, value: string | number, note?: string): void => line(label, value, note ?? '');

function verdict(ok: boolean, target: string): string {
  if (!ok) missed++;
  return `${ok ? 'ok' : 'MISSED'} (target: ${target})`;
}

/** The machine the figures were measured on, for comparing runs. */
function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1_073_741_824) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

async function measure(sim: TenantSimulator, run: () => Promise<unknown>): Promise<Measurement> {
  sim.resetCalls();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const trips = sim.roundTrips();
  const writes = new Map<string, number>();
  for (const call of sim.calls()) {
    if (!call.mutating || !call.committed) continue;
    const key = call.cmdlet ?? `${call.method} ${call.path.replace(/\/[0-9a-f-]{36,37}(?=\/|$)/gi, '/{id}')}`;
    writes.set(key, (writes.get(key) ?? 0) + 1);
  }
  return { graph: trips.graph, exchange: trips.exchange, token: trips.token, writes, ms };
}

function spec(username: string, publicFolders: boolean): ServiceAccountSpec {
  return {
    requestId: `bench-${username}`,
    displayName: 'CiraSync Service',
    username,
    domain: 'contoso.com',
    usageLocation: 'US',
    contact: { department: 'IT' },
    publicFolders: publicFolders ? { skuId: SKUS.EXCHANGESTANDARD.skuId } : undefined,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  process.stdout.write(`Machine: ${JSON.stringify(machine())}\n\n`);
  // Exchange's catch-up delays at zero: the counts then show the engine's own calls, not polling.
  const sim = await startTenantSimulator({
    tenantId: TENANT_ID,
    scenario: 'classic',
    delays: { exchangeRecipientMs: 0, mailboxMs: 0, replicationMs: 0 },
  });
  try {
    const credential = new SimulatorCredential(
      sim.authorityHost,
      TENANT_ID,
      sim.clientCredential.clientId,
      sim.clientCredential.clientSecret,
    );
    const ports = createTenantPorts(
      {
        tenantId: TENANT_ID,
        graphEndpoint: sim.graphEndpoint,
        exchangeEndpoint: sim.exchangeEndpoint,
        credential,
      },
      { ...DEFAULT_RETRY, clock: systemClock },
    );
    const patience = { clock: systemClock, timeoutMs: 60_000, initialDelayMs: 50, maxDelayMs: 500 };

    process.stdout.write(
      'Microsoft 365 calls per operation (classic simulated tenant, measured from its request log)\n',
    );

    await credential.getToken(`${sim.graphEndpoint}/.default`); // warm the token cache: count API calls only
    await credential.getToken(`${sim.exchangeEndpoint}/.default`);
    const preflight = await measure(sim, () => runPreflight(ports, { publicFolders: true }));
    section('Pre-flight');
    line(
      'Graph round trips',
      preflight.graph,
      verdict(preflight.graph <= PREFLIGHT_GRAPH_TARGET, `<= ${PREFLIGHT_GRAPH_TARGET}`),
    );
    line('Exchange round trips', preflight.exchange);
    line(
      'writes',
      [...preflight.writes.values()].reduce((a, b) => a + b, 0),
      verdict(preflight.writes.size === 0, '0'),
    );
    line('time (ms)', preflight.ms.toFixed(1));

    for (const [title, username, publicFolders, things] of [
      ['Provisioning with public folders', 'bench-pf', true, 5],
      ['Provisioning without public folders', 'bench-gal', false, 3],
    ] as const) {
      const result = await measure(sim, () =>
        provisionAccount(spec(username, publicFolders), {
          ...ports,
          patience,
          password: 'Bench#Passw0rd-2026-xyzQ',
        }),
      );
      const writes = [...result.writes.values()].reduce((a, b) => a + b, 0);
      const duplicates = [...result.writes.values()].filter((n) => n > 1).length;
      section(title);
      line('Graph round trips (incl. pre-flight)', result.graph);
      line('Exchange round trips (incl. pre-flight)', result.exchange);
      for (const [kind, count] of result.writes) line(`  ${kind}`, count);
      line(
        'writes',
        writes,
        verdict(writes === things && duplicates === 0, `${things}, one per thing created`),
      );
      line('time (ms)', result.ms.toFixed(1));

      const again = await measure(sim, () =>
        provisionAccount(spec(username, publicFolders), {
          ...ports,
          patience,
          password: 'Bench#Passw0rd-2026-xyzQ',
        }),
      );
      const againWrites = [...again.writes.values()].reduce((a, b) => a + b, 0);
      line('writes on a second run', againWrites, verdict(againWrites === 0, '0'));
    }

    // RBAC for Applications: the sync product's app granted one role over a management scope.
    const principal = await ports.directory.findServicePrincipal(CIRASYNC_SERVICE_PRINCIPAL.appId);
    if (principal === undefined) throw new Error('The simulated tenant has no CiraSync app');
    const grant: AppAccessSpec = {
      requestId: 'bench-app-0001',
      appId: principal.appId,
      servicePrincipalId: principal.id,
      displayName: principal.displayName,
      roles: ['Application Contacts.ReadWrite'],
      scope: { kind: 'filter', filter: "CustomAttribute1 -eq 'CiraSync'" },
    };
    section('Granting the app (RBAC for Applications, no service account)');
    const lookup = await measure(sim, () => ports.directory.findServicePrincipal(grant.appId));
    line('Graph round trips to find the app', lookup.graph);
    const granted = await measure(sim, () => grantAppAccess(grant, { exchange: ports.appAccess }));
    const grantWrites = [...granted.writes.values()].reduce((a, b) => a + b, 0);
    const grantDuplicates = [...granted.writes.values()].filter((n) => n > 1).length;
    line('Exchange round trips', granted.exchange);
    for (const [kind, count] of granted.writes) line(`  ${kind}`, count);
    line(
      'writes',
      grantWrites,
      verdict(grantWrites === 3 && grantDuplicates === 0, '3, one per thing created'),
    );
    line('time (ms)', granted.ms.toFixed(1));
    const regrant = await measure(sim, () => grantAppAccess(grant, { exchange: ports.appAccess }));
    const regrantWrites = [...regrant.writes.values()].reduce((a, b) => a + b, 0);
    line('writes on a second run', regrantWrites, verdict(regrantWrites === 0, '0'));
    const readiness = await measure(sim, () => appAccessInPlace(ports.appAccess, grant));
    line(
      'Exchange round trips per readiness poll',
      readiness.exchange,
      verdict(readiness.exchange === 1, '1'),
    );

    section(
      'Health watch: one check of a ready account, then 1,000 of them, beside the same readings made one call at a time',
    );
    await benchHealth(sim, ports, line, verdict);
  } finally {
    await sim.close();
  }

  section('Waiting for replication: Exchange polls over a 40-minute replication (fake clock)');
  const replication = await benchReplication(write);
  results.replication = replication;
  verdict(replication.ok, 'at most 20 polls until ready');

  section('Growth: 1, 10 and 100 requests approved together (per request, and N=100 against N=1)');
  const growth = await benchGrowth(write);
  results.growth = growth;
  verdict(growth.ok, 'every request past provisioning, tokens shared');

  section('Turns beside a bare Bot Framework echo bot (both as child processes, 50 in flight)');
  const turns = await benchTurns(write);
  results.turns = turns;
  verdict(turns.ok, 'every answer correct, no heap growth from 5,000 to 10,000 turns');

  section('Approve, and every other button, while Microsoft Graph and Exchange answer after 30 s');
  const approval = await benchApproval(write);
  results.approval = approval;
  verdict(
    approval.ok,
    'approve p99 < 1000 ms, 20 at once p99 < 250 ms, every other button < 5000 ms, every answer correct',
  );

  section('Start-up: process start to /healthz 200, cold');
  const startup = await benchStartup(write);
  results.startup = startup;
  verdict(startup.ok, 'every start answers /healthz and /readyz');

  section('Durable jobs (SQLite, 10,000 pending)');
  await benchJobs((label, value, note) => line(label.replace(/^jobs: /, ''), value, note ?? ''));

  section(
    'Job stores side by side: SQLite, and an Azure Table on Azurite (an in-memory emulator on this\n' +
      "machine's CPU: it shows the store's requests and round trips, not Azure's latency)",
  );
  results.jobStores = await benchJobStores(write);

  const seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(missed === 0 ? '\nAll targets met.\n' : `\n${missed} target(s) missed.\n`);
  process.stdout.write(
    `Finished in ${seconds} s; figures written to ${path.relative(process.cwd(), RESULTS)}\n`,
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), seconds, machine: machine(), targetsMissed: missed, figures, results }, null, 2)}\n`,
  );
  process.exitCode = missed === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
