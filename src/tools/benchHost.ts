/**
 * A bot for `npm run bench` to measure from outside: run as a child process (`fork`), so the load the
 * bench sends, and the fake Teams connector it answers, never share this process's CPU or memory.
 *
 * `node benchHost.js bot` starts this bot on its embedded default (simulated tenant, SQLite in a
 * temporary folder, local mode: no Bot Framework authentication). `node benchHost.js echo` starts the
 * baseline: a bare Bot Framework echo bot on the same botbuilder, `CloudAdapter` (authentication
 * off) and restify, that repeats each message and answers each card press with a one-line message.
 *
 * The child says `{ ready, port, tenantId }` over IPC once it listens, then answers commands sent as
 * `{ id, command, ... }` with `{ id, result }` or `{ id, error }`:
 *   memory           RSS now, the highest RSS sampled (every 20 ms) since the last `mark`, heap used
 *                    (after a full collection when started with `--expose-gc`)
 *   mark             starts a new peak
 *   prepareApprovals submits `count` requests (Alex asks, Megan approves) and delivers them
 *   untilReady       waits (up to `timeoutMs`) until request `requestId` is ready
 *   slow             holds every Graph and Exchange request of the simulated tenant `delayMs`
 *   close            stops the bot and exits
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
} from 'botbuilder';
import restify from 'restify';
import type { SubmitRequestInput } from '../useCases/submitRequest';

/** The two seeded Global Administrators of the simulated tenant the bench acts as. */
export const BENCH_PEOPLE = {
  alex: { id: '29:alex', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
  megan: { id: '29:megan', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' },
} as const;

/** A request for a service account named `username`: Alex asks, Megan approves. */
export function benchRequest(username: string): SubmitRequestInput {
  const { alex, megan } = BENCH_PEOPLE;
  return {
    requester: { aadObjectId: alex.aadObjectId, name: alex.name },
    approver: { aadObjectId: megan.aadObjectId, name: megan.name, userPrincipalName: 'meganb@contoso.com' },
    details: {
      displayName: 'CiraSync Service',
      username,
      domain: 'contoso.com',
      contact: { city: 'Redmond' },
      acknowledgedWarnings: [],
    },
  };
}

export interface HostReady {
  ready: true;
  port: number;
  tenantId: string;
}

export interface HostMemory {
  rssBytes: number;
  peakRssBytes: number;
  heapUsedBytes: number;
}

interface Host {
  port: number;
  tenantId: string;
  commands: Record<string, (message: Record<string, unknown>) => Promise<unknown>>;
  close(): Promise<void>;
}

let peakRss = 0;
function sampleRss(): number {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
  return rss;
}

function memory(): HostMemory {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  return { rssBytes: sampleRss(), peakRssBytes: peakRss, heapUsedBytes: process.memoryUsage().heapUsed };
}

async function startEcho(): Promise<Host> {
  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppType: '',
      MicrosoftAppTenantId: '',
    }),
  );
  class EchoBot extends ActivityHandler {
    constructor() {
      super();
      this.onMessage(async (context, next) => {
        await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
        await next();
      });
    }

    protected override async onAdaptiveCardInvoke(): Promise<AdaptiveCardInvokeResponse> {
      return {
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'Got it' as unknown as Record<string, unknown>,
      };
    }
  }
  const bot = new EchoBot();
  const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tenantId: 'echo',
    commands: {},
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startOurs(): Promise<Host> {
  // Loaded here, not at the top: the echo bot's process holds botbuilder and restify only.
  const { loadConfig } = await import('../config');
  const { startBot } = await import('../index');
  const { submitRequest } = await import('../useCases/submitRequest');
  const { ROLE } = await import('../domain/wellKnown');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-host-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_SECONDS: '1',
    // A request the bench approves is ready in seconds (the replication bench has its own timings).
    SIMULATOR_REPLICATION_SECONDS: '1',
    REPLICATION_SETTLE_MINUTES: '0',
    REPLICATION_POLL_SECONDS: '0.2',
  });
  const bot = await startBot(config);
  const simulator = bot.tenant.simulator;
  if (simulator === undefined) throw new Error('The bench host needs the simulated tenant');
  return {
    port: bot.address.port,
    tenantId: bot.tenant.tenantId,
    commands: {
      async prepareApprovals(message) {
        const count = Number(message.count);
        const prefix = String(message.prefix);
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const request = await submitRequest(bot.services, benchRequest(`${prefix}-${i + 1}`));
          ids.push(request.id);
        }
        bot.runner.poke();
        await bot.idle();
        let delivered = 0;
        for (const id of ids) {
          const events = await bot.audit.forRequest(bot.tenant.tenantId, id);
          if (events.some((r) => r.event === 'delivered')) delivered++;
        }
        return { ids, delivered };
      },
      /** Global Administrators made in the simulated tenant, one per lane of the bench's load. */
      async addAdmins(message) {
        const count = Number(message.count);
        const prefix = String(message.prefix);
        const people: { id: string; name: string; aadObjectId: string }[] = [];
        for (let i = 1; i <= count; i++) {
          const user = await bot.services.directory.createUser({
            displayName: `Bench Admin ${prefix} ${i}`,
            mailNickname: `bench-${prefix}-${i}`,
            userPrincipalName: `bench-${prefix}-${i}@contoso.com`,
            password: `Bench#${randomUUID()}`,
            usageLocation: 'US',
            employeeType: 'Employee',
            contact: {},
          });
          await bot.services.directory.createRoleAssignment(user.id, ROLE.globalAdministrator);
          people.push({ id: `29:bench-${prefix}-${i}`, name: user.displayName, aadObjectId: user.id });
        }
        return people;
      },
      /** Waits until the request is ready (provisioned and replicated); its state when the time is up. */
      async untilReady(message) {
        const id = String(message.requestId);
        const deadline = Date.now() + Number(message.timeoutMs);
        for (;;) {
          const request = await bot.services.requests.get(bot.tenant.tenantId, id);
          if (request?.state === 'Ready' || Date.now() > deadline) return { state: request?.state };
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async slow(message) {
        const delayMs = Number(message.delayMs);
        simulator.faults.inject({ api: 'graph', times: Infinity, delayMs });
        simulator.faults.inject({ api: 'exchange', times: Infinity, delayMs });
        return { graphAndExchangeCalls: simulator.roundTrips().graph + simulator.roundTrips().exchange };
      },
      async calls() {
        return simulator.roundTrips();
      },
    },
    async close() {
      // Provisioning jobs may be waiting on a slow Graph: no new delays, then close with the short grace.
      simulator.faults.clear();
      await bot.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const send = (message: object): void => {
    process.send?.(message);
  };
  const kind = process.argv[2];
  const host = kind === 'echo' ? await startEcho() : await startOurs();
  const sampler = setInterval(sampleRss, 20);
  sampler.unref();
  process.on('message', (raw: Record<string, unknown>) => {
    const id = raw.id;
    const command = String(raw.command);
    void (async () => {
      try {
        if (command === 'memory') return send({ id, result: memory() });
        if (command === 'mark') {
          peakRss = 0;
          return send({ id, result: sampleRss() });
        }
        if (command === 'close') {
          clearInterval(sampler);
          await host.close();
          send({ id, result: true });
          process.disconnect?.();
          return;
        }
        const run = host.commands[command];
        if (run === undefined) throw new Error(`The bench host knows no "${command}"`);
        send({ id, result: await run(raw) });
      } catch (error) {
        send({ id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  const ready: HostReady = { ready: true, port: host.port, tenantId: host.tenantId };
  send(ready);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `bench host failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
