/**
 * `GET /readyz` on the HTTP server with its real probes (src/runtime/readinessProbes.ts) over parts
 * the test controls: a storage that answers, fails or hangs, a job store, and a runner heartbeat.
 */
import net from 'node:net';
import type { ActivityHandler, CloudAdapter, Storage } from 'botbuilder';
import { createLogger, type LogSink } from '../../src/logger';
import { createHttpServer, type HttpServer } from '../../src/http/server';
import { READINESS_PROBE_KEY, readinessProbes } from '../../src/runtime/readinessProbes';
import type { RunnerHeartbeat } from '../../src/jobs/jobRunner';

const CONNECTION_STRING =
  'DefaultEndpointsProtocol=https;AccountName=sabprod;AccountKey=c2VjcmV0LWtleS1ub3QtZm9yLWxvZ3M=;EndpointSuffix=core.windows.net';

const ALIVE: RunnerHeartbeat = {
  running: true,
  lastRoundAt: 1_000,
  ageMs: 400,
  staleAfterMs: 10_000,
  alive: true,
};

interface Parts {
  read: Storage['read'];
  nextDueAt: () => Promise<number | undefined>;
  heartbeat: () => RunnerHeartbeat;
}

describe('GET /readyz', () => {
  let server: HttpServer | undefined;
  let logs: { line: string; level: string }[];
  let parts: Parts;
  let storageKeys: string[][];
  let releaseTurn: (() => void) | undefined;

  beforeEach(() => {
    logs = [];
    storageKeys = [];
    parts = {
      read: async (keys) => {
        storageKeys.push(keys);
        return {};
      },
      nextDueAt: async () => undefined,
      heartbeat: () => ALIVE,
    };
  });

  afterEach(async () => {
    releaseTurn?.();
    await server?.drain(100);
    server = undefined;
  });

  async function start(): Promise<string> {
    const sink: LogSink = (line, level) => logs.push({ line, level });
    // A turn stays in flight until the test releases it: that is what a shutdown waits for.
    const adapter = {
      process: async (_req: unknown, res: { send(code: number): void }) => {
        await new Promise<void>((resolve) => (releaseTurn = resolve));
        res.send(200);
      },
    } as unknown as CloudAdapter;
    server = createHttpServer({
      adapter,
      bot: {} as ActivityHandler,
      logger: createLogger('info', sink),
      health: { status: 'ok', version: '1.2.3', tenantMode: 'simulated', storage: 'sqlite' },
      readiness: readinessProbes({
        storage: { read: (keys) => parts.read(keys) },
        jobs: { nextDueAt: () => parts.nextDueAt() },
        runner: { heartbeat: () => parts.heartbeat() },
      }),
      probeTimeoutMs: 150,
    });
    const address = await server.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${address.port}`;
  }

  async function ready(
    url: string,
  ): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
    const response = await fetch(`${url}/readyz`);
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
  }

  it('when storage, the job store and the runner answer, then it is 200 ready with every check ok', async () => {
    const url = await start();
    const answer = await ready(url);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ready', checks: { storage: 'ok', jobs: 'ok', runner: 'ok' } });
    expect(storageKeys).toEqual([[READINESS_PROBE_KEY]]);
  });

  it('when the storage read fails, then it is 503 naming storage in plain words, with no error text', async () => {
    parts.read = async () => {
      throw new Error(`connect ECONNREFUSED with ${CONNECTION_STRING}`);
    };
    const url = await start();
    const answer = await ready(url);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      status: 'not ready',
      checks: { storage: 'failed', jobs: 'ok', runner: 'ok' },
      reasons: { storage: 'The bot-state storage could not be read.' },
    });
    expect(answer.text).not.toMatch(/AccountKey|ECONNREFUSED|\bat .*\.ts:\d+/);
    // The log gets the error, once, with the account key redacted or absent from the answer.
    const warnings = logs.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].line).toContain('Not ready');
    expect(warnings[0].line).toContain('ECONNREFUSED');
  });

  it('when the storage does not answer in time, then it is 503 within about the probe time limit', async () => {
    parts.read = () => new Promise(() => undefined);
    const url = await start();
    const began = Date.now();
    const answer = await ready(url);
    expect(Date.now() - began).toBeLessThan(1_500);
    expect(answer.status).toBe(503);
    expect(answer.body.checks).toEqual({ storage: 'failed', jobs: 'ok', runner: 'ok' });
    expect(answer.body.reasons).toEqual({
      storage: 'The bot-state storage could not be read. It did not answer within 150 ms.',
    });
  });

  it('when storage hangs and readiness is asked again and again, then the storage is read once, not once per ask', async () => {
    parts.read = (keys) => {
      storageKeys.push(keys);
      return new Promise(() => undefined);
    };
    const url = await start();
    const answers = await Promise.all([ready(url), ready(url)]);
    answers.push(await ready(url));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(storageKeys).toEqual([[READINESS_PROBE_KEY]]);
  });

  it('when the job store fails, then it is 503 naming the job store', async () => {
    parts.nextDueAt = async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    };
    const url = await start();
    const answer = await ready(url);
    expect(answer.status).toBe(503);
    expect(answer.body.checks).toEqual({ storage: 'ok', jobs: 'failed', runner: 'ok' });
    expect(answer.body.reasons).toEqual({ jobs: 'The job store could not be read.' });
  });

  it('when the runner heartbeat is stale, then it is 503 saying how long ago the loop went round', async () => {
    parts.heartbeat = () => ({ ...ALIVE, ageMs: 45_000, alive: false });
    const url = await start();
    const answer = await ready(url);
    expect(answer.status).toBe(503);
    expect(answer.body.checks).toEqual({ storage: 'ok', jobs: 'ok', runner: 'failed' });
    expect(answer.body.reasons).toEqual({
      runner: "The job runner's loop last went round 45 s ago (more than 10 s).",
    });
  });

  it('when the runner is stopped, then it is 503 saying so', async () => {
    parts.heartbeat = () => ({ ...ALIVE, running: false, alive: false });
    const url = await start();
    const answer = await ready(url);
    expect(answer.status).toBe(503);
    expect(answer.body.reasons).toEqual({ runner: 'The job runner is stopped.' });
  });

  it('when a check fails and then passes, then the log says not ready once and ready again once', async () => {
    let failing = true;
    parts.nextDueAt = async () => {
      if (failing) throw new Error('down');
      return undefined;
    };
    const url = await start();
    expect((await ready(url)).status).toBe(503);
    expect((await ready(url)).status).toBe(503);
    failing = false;
    expect((await ready(url)).status).toBe(200);
    expect((await ready(url)).status).toBe(200);
    const messages = logs.map((l) => JSON.parse(l.line).msg as string);
    expect(messages).toEqual(['Not ready', 'Ready again: storage, jobs and the job runner answer']);
  });

  it('when a probe fails, then /healthz still answers 200 as before', async () => {
    parts.read = async () => {
      throw new Error('down');
    };
    const url = await start();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: '1.2.3',
      tenantMode: 'simulated',
      storage: 'sqlite',
    });
  });

  it('when the server is draining, then /readyz answers 503 draining without probing', async () => {
    const url = await start();
    const { port } = new URL(url);
    // A turn in flight keeps the drain going; a connection already sending /readyz is not idle.
    const turn = fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        conversation: { id: 'a:1' },
      }),
    });
    await waitFor(() => releaseTurn !== undefined);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    storageKeys = [];

    const drained = server!.drain(5_000);
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.write('Connection: close\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      status: 'draining',
      reason: 'The bot is shutting down.',
    });
    expect(storageKeys).toEqual([]);

    releaseTurn?.();
    expect(await drained).toBe(true);
    expect((await turn).status).toBe(200);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
