/**
 * How fast the approver's Approve press is answered while Microsoft Graph is slow. Target: the
 * approve invoke (`adaptiveCard/action`, verb `request.approve`) is answered in under 1 s while the
 * simulator holds every Graph and Exchange request for 30 s. The bot runs in process against its
 * simulated tenant and a loopback Teams connector; N pending requests are delivered first, then the
 * delay is switched on and each is approved over HTTP (one at a time, then a round of 20 at once).
 * Baseline, in the same run and interleaved: a `request.refresh` of each request just decided, which
 * never touches Graph. Prints p50/p90/p99/max and the ratio of the p99s.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REQUEST_VERBS } from '../../cards/verbs';
import { loadConfig } from '../config';
import type { ServiceAccountRequest } from '../domain/request';
import { submitRequest } from '../useCases/submitRequest';
import { startBot } from '../index';

const SEQUENTIAL = 200;
const CONCURRENT = 20;
const WARM_UP = 20;
const GRAPH_DELAY_MS = 30_000;
const TARGET_MS = 1_000;
const APPROVED_TEXT = 'Approved by Megan Bowen';

interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}
const ALEX: TeamsUser = {
  id: '29:alex',
  name: 'Alex Wilber',
  aadObjectId: '00000000-0000-0000-0000-0000000000020',
};
const MEGAN: TeamsUser = {
  id: '29:megan',
  name: 'Megan Bowen',
  aadObjectId: '00000000-0000-0000-0000-0000000000021',
};

/** A Bot Framework connector on loopback that accepts every send, update and new chat. */
async function startConnector(): Promise<{ serviceUrl: string; close(): Promise<void> }> {
  let next = 1;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const create = pathname === '/v3/conversations' && req.method === 'POST';
      const activity =
        pathname.startsWith('/v3/conversations/') && (req.method === 'POST' || req.method === 'PUT');
      res.writeHead(create ? 201 : activity ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(create ? { id: `a:created-${next++}` } : activity ? { id: `activity-${next++}` } : {}),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A personal-chat activity as Teams sends it. */
function activity(serviceUrl: string, tenantId: string, from: TeamsUser, fields: object): object {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: '28:service-account-bot', name: 'Service Account Bot' },
    conversation: { id: `a:personal-${from.aadObjectId}`, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    ...fields,
  };
}

function cardAction(serviceUrl: string, tenantId: string, from: TeamsUser, verb: string, requestId: string) {
  return activity(serviceUrl, tenantId, from, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data: { requestId } }, trigger: 'manual' },
  });
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

export async function benchApproval(
  write: (label: string, value: string | number, note?: string) => void,
): Promise<{ ok: boolean }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-approval-'));
  const connector = await startConnector();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_SECONDS: '1',
  });
  const bot = await startBot(config).catch(async (error: unknown) => {
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const simulator = bot.tenant.simulator;
  const tenantId = bot.tenant.tenantId;
  const url = `http://127.0.0.1:${bot.address.port}/api/messages`;
  let failures = 0;

  /** Posts one activity; the time is from sending the request to having the whole answer. */
  async function post(body: object): Promise<{ ms: number; status: number; text: string }> {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { ms: performance.now() - started, status: response.status, text };
  }

  /** One press by Megan, checked: HTTP 200, invoke status 200, the card says she approved. */
  async function press(verb: string, request: ServiceAccountRequest): Promise<number> {
    const answer = await post(cardAction(connector.serviceUrl, tenantId, MEGAN, verb, request.id));
    const ok =
      answer.status === 200 && /"statusCode":200/.test(answer.text) && answer.text.includes(APPROVED_TEXT);
    if (!ok) failures++;
    return answer.ms;
  }

  try {
    if (simulator === undefined) throw new Error('benchApproval needs the simulated tenant');
    for (const from of [ALEX, MEGAN]) {
      const said = await post(
        activity(connector.serviceUrl, tenantId, from, { type: 'message', text: 'help' }),
      );
      if (said.status !== 200) throw new Error(`help from ${from.name} answered HTTP ${said.status}`);
    }

    const requests: ServiceAccountRequest[] = [];
    for (let i = 0; i < SEQUENTIAL + CONCURRENT; i++) {
      const request = await submitRequest(bot.services, {
        requester: { aadObjectId: ALEX.aadObjectId, name: ALEX.name },
        approver: {
          aadObjectId: MEGAN.aadObjectId,
          name: MEGAN.name,
          userPrincipalName: 'meganb@contoso.com',
        },
        details: {
          displayName: 'CiraSync Service',
          username: `svc-bench-${i + 1}`,
          domain: 'contoso.com',
          contact: { city: 'Redmond' },
          acknowledgedWarnings: [],
        },
      });
      requests.push(request);
    }
    bot.runner.poke();
    await bot.idle();
    let delivered = 0;
    for (const request of requests) {
      const events = await bot.audit.forRequest(tenantId, request.id);
      if (events.some((r) => r.event === 'delivered')) delivered++;
    }
    write('approval: pending requests delivered to Megan', `${delivered} / ${requests.length}`);

    // Warm-up (not counted): refreshes of pending requests, before Graph slows down.
    for (const request of requests.slice(0, WARM_UP)) {
      await post(cardAction(connector.serviceUrl, tenantId, MEGAN, REQUEST_VERBS.refresh, request.id));
    }

    simulator.faults.inject({ api: 'graph', times: Infinity, delayMs: GRAPH_DELAY_MS });
    simulator.faults.inject({ api: 'exchange', times: Infinity, delayMs: GRAPH_DELAY_MS });
    const graphBefore = simulator.roundTrips().graph + simulator.roundTrips().exchange;
    const phaseStarted = performance.now();

    const approve: number[] = [];
    const refresh: number[] = [];
    for (const request of requests.slice(0, SEQUENTIAL)) {
      approve.push(await press(REQUEST_VERBS.approve, request));
      refresh.push(await press(REQUEST_VERBS.refresh, request));
    }
    const round = requests.slice(SEQUENTIAL);
    const roundApprove = await Promise.all(round.map((r) => press(REQUEST_VERBS.approve, r)));
    const roundRefresh = await Promise.all(round.map((r) => press(REQUEST_VERBS.refresh, r)));
    approve.push(...roundApprove);
    refresh.push(...roundRefresh);

    const phaseMs = performance.now() - phaseStarted;
    const slowCalls = simulator.roundTrips().graph + simulator.roundTrips().exchange - graphBefore;
    const all = summary(approve);
    const sequential = summary(approve.slice(0, SEQUENTIAL));
    const atOnce = summary(roundApprove);
    const base = summary(refresh);
    const baseSequential = summary(refresh.slice(0, SEQUENTIAL));
    const baseAtOnce = summary(roundRefresh);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const spread = (s: ReturnType<typeof summary>) => `${s.p50} / ${s.p90} / ${s.p99} / ${s.max}`;
    const ok = failures === 0 && all.p99 < TARGET_MS;

    write(
      'approval: Graph/Exchange requests held 30 s meanwhile',
      slowCalls,
      `sent by the provisioning jobs the approvals started, during the ${Math.round(phaseMs)} ms measured phase; cut short at close`,
    );
    write('approval: approve invokes', all.count, `${SEQUENTIAL} one at a time + ${CONCURRENT} at once`);
    write('approval: approve p50 (ms)', all.p50);
    write('approval: approve p90 (ms)', all.p90);
    write('approval: approve p99 (ms)', all.p99);
    write('approval: approve max (ms)', all.max);
    write('approval: approve one at a time p50/p90/p99/max', spread(sequential));
    write(`approval: approve ${CONCURRENT} at once p50/p90/p99/max`, spread(atOnce));
    write('approval: baseline refresh invokes', base.count, 'the requests just decided; no Graph call');
    write('approval: baseline p50/p90/p99/max (ms)', spread(base));
    write('approval: baseline one at a time p50/p90/p99/max', spread(baseSequential));
    write(`approval: baseline ${CONCURRENT} at once p50/p90/p99/max`, spread(baseAtOnce));
    write('approval: approve p99 / baseline p99', ratio(all.p99, base.p99));
    write('approval: same, one at a time only', ratio(sequential.p99, baseSequential.p99));
    write('approval: failed answers', failures, `not HTTP 200 + statusCode 200 + "${APPROVED_TEXT}"`);
    write(
      'approval: verdict',
      ok ? 'ok' : 'MISSED',
      `target: approve p99 < ${TARGET_MS} ms with Graph delayed ${GRAPH_DELAY_MS / 1000} s, no failed answer`,
    );
    return { ok };
  } finally {
    // Provisioning jobs are waiting on the slow Graph: no new delays, then close with the short grace.
    simulator?.faults.clear();
    await bot.close();
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
