/**
 * Telemetry as an operator would see it (issue 15): with `APPLICATIONINSIGHTS_CONNECTION_STRING`
 * pointing at a local ingestion endpoint, the built bot sends a request for each Teams turn, one for
 * each job run (the provisioning job's Graph and Exchange calls as its dependencies), its metrics, and
 * writes the trace ids into its log lines — and nothing it sends holds a message's text, a card's
 * inputs, a job's data or a secret. Without the setting nothing is sent and the Azure Monitor
 * package is never even loaded. Every process may reach only loopback (test/support/loopbackGuard.js).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ALEX, postActivity, teamsMessage } from '../support/activities';
import { startBotProcess, tempDataDir, REPO_ROOT } from '../support/botProcess';
import { waitUntil, withRig } from '../support/crashHarness';
import { startFakeConnector } from '../support/fakeConnector';
import {
  type Envelope,
  startTelemetryCollector,
  type TelemetryCollector,
} from '../support/telemetryCollector';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';

const GUARD = path.join(REPO_ROOT, 'test', 'support', 'loopbackGuard.js');
const DISTRIBUTION = '@azure/monitor-opentelemetry';

/** Settings that preload the loopback guard, recording into a fresh file in `dir`. */
function guarded(dir: string): {
  settings: Record<string, string>;
  records: () => Record<string, unknown>[];
} {
  const file = path.join(dir, 'guard.jsonl');
  return {
    settings: {
      NODE_OPTIONS: `--require ${GUARD}`,
      LOOPBACK_GUARD_FILE: file,
      LOOPBACK_GUARD_WATCH: DISTRIBUTION,
    },
    records: () =>
      fs.existsSync(file)
        ? fs
            .readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
  };
}

const props = (e: Envelope): Record<string, string> => e.data.baseData.properties ?? {};
const nameOf = (e: Envelope): string => String(e.data.baseData.name);

/** Every string value in the envelopes, and the words inside them. */
function stringsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    out.add(value);
    for (const word of value.split(/[\s"'(),;=&]+/)) if (word !== '') out.add(word);
  } else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('telemetry', () => {
  let collector: TelemetryCollector;

  beforeAll(() => assertTestCaTrusted());
  beforeEach(async () => {
    collector = await startTelemetryCollector();
  });
  afterEach(() => collector.close());

  it('when the connection string points at a collector, then a turn, the provisioning job and its Graph and Exchange calls arrive as spans, with metrics and trace ids in the logs, and no secret', async () => {
    const dir = tempDataDir();
    const guard = guarded(dir);
    try {
      await withRig(
        async (rig) => {
          const bot = await rig.startBot();
          expect(bot.logs.find((l) => l.msg === 'Service Account Bot started')?.telemetry).toBe(
            `Application Insights via ${collector.host}`,
          );
          const request = await rig.submitRequest();
          // The gauge counts the request waiting for Megan (metrics are exported every half second).
          await waitUntil(
            () => collector.metricValues('bot.approvals.pending').some((m) => m.value === 1),
            10_000,
          );
          // One 429 from each API during provisioning: counted, and the wait Graph asked for too.
          rig.sim.faults.inject({
            api: 'graph',
            method: 'POST',
            pathPattern: /\/users$/,
            times: 1,
            status: 429,
            retryAfterSeconds: 1,
          });
          rig.sim.faults.inject({
            api: 'exchange',
            cmdlet: 'New-RoleGroup',
            times: 1,
            status: 429,
            retryAfterSeconds: 0,
          });
          await rig.approve(request);
          await rig.waitForReady(20_000);
          await rig.stopBot();
          expect(bot.child.exitCode).toBe(0);

          // One request per turn: the message that started the conversation and the card presses.
          const turns = collector.requests().filter((e) => nameOf(e) === 'POST /api/messages');
          expect(turns.map((e) => props(e)['bot.activity.type'])).toEqual(
            expect.arrayContaining(['message', 'invoke']),
          );
          expect(turns.every((e) => e.data.baseData.responseCode === '200')).toBe(true);
          expect(turns.find((e) => props(e)['bot.activity.type'] === 'invoke')).toMatchObject({
            data: {
              baseData: {
                properties: { 'bot.invoke.name': 'adaptiveCard/action', 'bot.channel': 'msteams' },
              },
            },
          });

          // The provisioning job: one operation of its own, with Graph and Exchange calls inside it.
          const provision = collector.requests().filter((e) => nameOf(e) === 'job provision');
          expect(provision.length).toBeGreaterThan(0);
          expect(props(provision[0])).toMatchObject({ 'job.kind': 'provision', 'job.attempt': '1' });
          const done = provision.find((e) => props(e)['job.outcome'] === 'done');
          expect(done).toBeDefined();
          const operation = done?.tags['ai.operation.id'];
          // Its own trace: not a child of the Approve press that scheduled it.
          expect(done?.tags['ai.operation.parentId']).toBeUndefined();
          expect(turns.map((e) => e.tags['ai.operation.id'])).not.toContain(operation);
          const calls = collector.dependencies().filter((e) => e.tags['ai.operation.id'] === operation);
          const graphCreate = calls.find(
            (e) => nameOf(e) === 'POST /users' && e.data.baseData.success === true,
          );
          expect(graphCreate?.data.baseData).toMatchObject({
            type: 'Http',
            resultCode: '201',
            success: true,
          });
          expect(graphCreate?.data.baseData.target).toContain('127.0.0.1');
          expect(calls.map(nameOf)).toEqual(
            expect.arrayContaining([
              'POST /users/{id}/assignLicense',
              'POST /roleManagement/directory/roleAssignments',
              'New-RoleGroup',
            ]),
          );
          // Templates only: no object id in any dependency's name.
          expect(collector.dependencies().filter((e) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(nameOf(e)))).toEqual(
            [],
          );

          // The log line the job wrote carries the job's trace id.
          const jobLog = bot.logs.find((l) => l.msg === 'job ran' && l.kind === 'provision');
          expect(jobLog?.traceId).toBe(operation);
          expect(typeof jobLog?.spanId).toBe('string');

          // The gauges and counters, exported at shutdown.
          expect(collector.metricNames()).toEqual(
            expect.arrayContaining([
              'bot.jobs.due',
              'bot.jobs.running',
              'bot.jobs.failed',
              'bot.approvals.pending',
            ]),
          );

          // Nothing said or typed, no secret, no password.
          const sent = collector.posts.map((p) => p.body).join('\n');
          for (const never of [
            'new service account',
            'CiraSync Service',
            'cirasync-svc',
            rig.sim.clientCredential.clientSecret,
            'Bearer',
            'eyJ',
          ]) {
            expect(sent).not.toContain(never);
          }
          const passwordHashes = rig.sim
            .state()
            .users.map((u) => u.passwordSha256)
            .filter((h): h is string => h !== null);
          expect(passwordHashes.length).toBeGreaterThan(0);
          const leaked = [...stringsIn(collector.envelopes)].filter((s) =>
            passwordHashes.includes(sha256(s)),
          );
          expect(leaked).toEqual([]);
        },
        {
          settings: {
            APPLICATIONINSIGHTS_CONNECTION_STRING: collector.connectionString,
            OTEL_METRIC_EXPORT_INTERVAL: '500',
            TMPDIR: dir,
            ...guard.settings,
          },
        },
      );
      expect(guard.records().filter((r) => r.connect !== undefined)).toEqual([]);
      expect(guard.records().find((r) => r.loaded !== undefined)?.loaded).toEqual([DISTRIBUTION]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('when the ingestion endpoint never answers, then SIGTERM still ends the bot within its grace period', async () => {
    const hanging = await startTelemetryCollector({ answer: false });
    const dir = tempDataDir();
    const connector = await startFakeConnector();
    try {
      const bot = await startBotProcess({
        DATA_DIR: dir,
        TMPDIR: dir,
        SHUTDOWN_GRACE_SECONDS: '1',
        APPLICATIONINSIGHTS_CONNECTION_STRING: hanging.connectionString,
      });
      const response = await postActivity(
        bot.url,
        teamsMessage(connector.serviceUrl, 'help', { from: ALEX }),
      );
      expect(response.status).toBe(200);
      await connector.waitForActivities(1);
      const signalled = Date.now();
      expect(await bot.stop()).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(5_000);
      // The last export was tried: the turn's request reached the endpoint, which never answered.
      expect(hanging.requests().map(nameOf)).toContain('POST /api/messages');
    } finally {
      await hanging.close();
      await connector.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('when the setting is unset, then nothing is sent, no log line has a trace id and the Azure Monitor package is never loaded', async () => {
    const dir = tempDataDir();
    const guard = guarded(dir);
    const connector = await startFakeConnector();
    try {
      const bot = await startBotProcess({ DATA_DIR: dir, TMPDIR: dir, ...guard.settings });
      expect(bot.logs.find((l) => l.msg === 'Service Account Bot started')?.telemetry).toBe('off');
      const response = await postActivity(
        bot.url,
        teamsMessage(connector.serviceUrl, 'help', { from: ALEX }),
      );
      expect(response.status).toBe(200);
      await connector.waitForActivities(1);
      expect(await bot.stop()).toBe(0);

      expect(collector.posts).toEqual([]);
      expect(bot.logs.filter((l) => l.traceId !== undefined || l.spanId !== undefined)).toEqual([]);
      expect(guard.records().filter((r) => r.connect !== undefined)).toEqual([]);
      expect(guard.records().find((r) => r.loaded !== undefined)?.loaded).toEqual([]);
    } finally {
      await connector.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
