/**
 * What the bench's load side needs, in the bench's own process: a bot host started as a child
 * (`benchHost.ts`), a quiet Bot Framework connector on loopback for the bots to answer, Teams-shaped
 * activities, a sender with N lanes in flight, and percentiles.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { HostMemory, HostReady } from './benchHost';

const HOST_ENTRY = path.join(__dirname, 'benchHost.js');
const START_TIMEOUT_MS = 60_000;

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export interface BotHost {
  kind: 'bot' | 'echo';
  pid: number;
  url: string;
  tenantId: string;
  call<T>(command: string, fields?: object): Promise<T>;
  memory(): Promise<HostMemory>;
  close(): Promise<void>;
}

/** Forks a bot host (`bot`: ours on its embedded default; `echo`: the bare echo bot) and waits until it listens. */
export async function startHost(kind: 'bot' | 'echo'): Promise<BotHost> {
  const child: ChildProcess = fork(HOST_ENTRY, [kind], {
    execArgv: ['--expose-gc', '--disable-warning=DEP0111'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 1;
  const ready = await new Promise<HostReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The ${kind} host did not start`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`The ${kind} host exited (${code}) before it listened`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message.ready === true) {
        clearTimeout(timer);
        resolve(message as unknown as HostReady);
        return;
      }
      const pending = waiting.get(Number(message.id));
      if (pending === undefined) return;
      waiting.delete(Number(message.id));
      if (typeof message.error === 'string') pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
  });
  child.on('exit', () => {
    for (const pending of waiting.values()) pending.reject(new Error(`The ${kind} host exited`));
    waiting.clear();
  });
  const call = <T>(command: string, fields: object = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, ...fields });
    });
  return {
    kind,
    pid: child.pid ?? 0,
    url: `http://127.0.0.1:${ready.port}/api/messages`,
    tenantId: ready.tenantId,
    call,
    memory: () => call<HostMemory>('memory'),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await call('close').catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface FakeConnector {
  serviceUrl: string;
  /** Activities the bots sent (posted or updated), all conversations. */
  sent(): number;
  /** The last activity sent into a conversation, parsed. */
  lastIn(conversationId: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

/** A Bot Framework connector on loopback that accepts every send, update and new chat at once. */
export async function startConnector(): Promise<FakeConnector> {
  let next = 1;
  let sent = 0;
  const last = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const create = pathname === '/v3/conversations' && req.method === 'POST';
      const activity =
        pathname.startsWith('/v3/conversations/') && (req.method === 'POST' || req.method === 'PUT');
      if (activity) {
        sent++;
        const conversation = decodeURIComponent(pathname.split('/')[3] ?? '');
        last.set(conversation, Buffer.concat(chunks).toString('utf8'));
      }
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
    sent: () => sent,
    lastIn(conversationId) {
      const body = last.get(conversationId);
      return body === undefined ? undefined : (JSON.parse(body) as Record<string, unknown>);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A personal-chat activity as Teams sends it; `conversationId` defaults to the person's own chat. */
export function activity(
  serviceUrl: string,
  tenantId: string,
  from: TeamsUser,
  fields: object,
  conversationId = `a:personal-${from.aadObjectId}`,
): object {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: '28:service-account-bot', name: 'Service Account Bot' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    ...fields,
  };
}

/** An `Action.Execute` press, as Teams sends it. */
export function cardAction(
  serviceUrl: string,
  tenantId: string,
  from: TeamsUser,
  verb: string,
  data: object,
  conversationId?: string,
): object {
  return activity(
    serviceUrl,
    tenantId,
    from,
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    },
    conversationId,
  );
}

export interface Answer {
  ms: number;
  status: number;
  text: string;
}

/** Posts one activity; the time is from sending the request to having the whole answer. */
export async function post(url: string, body: object): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { ms: performance.now() - started, status: response.status, text };
}

/** Runs `count` sends with `lanes` in flight at once; each lane sends its next when its last is answered. */
export async function inLanes(
  count: number,
  lanes: number,
  send: (index: number, lane: number) => Promise<number>,
): Promise<{ samples: number[]; ms: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(lanes, count) }, async (_unused, lane) => {
      while (next < count) {
        const index = next++;
        samples.push(await send(index, lane));
      }
    }),
  );
  return { samples, ms: performance.now() - started };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Spread {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summary(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

export const spread = (s: Spread): string => `${s.p50} / ${s.p90} / ${s.p99} / ${s.max}`;

export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

export const megabytes = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
