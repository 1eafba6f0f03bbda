/**
 * The built bot as production runs it (`node dist/src/index.js`), driven over HTTP on loopback with a
 * fake Teams connector as the activities' service URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ALEX, postActivity, teamsInstall, teamsMessage } from './support/activities';
import { type BotProcess, runBotToExit, startBotProcess, tempDataDir } from './support/botProcess';
import { type FakeConnector, startFakeConnector } from './support/fakeConnector';

interface CardContent {
  type: string;
  version: string;
  body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
}

function cardOf(activity: Record<string, unknown>): CardContent {
  const attachments = activity.attachments as { contentType: string; content: CardContent }[] | undefined;
  expect(attachments).toHaveLength(1);
  expect(attachments?.[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  return (attachments as { content: CardContent }[])[0].content;
}

function commandsListed(card: CardContent): string[] {
  return card.body.flatMap((element) =>
    element.type === 'FactSet' ? (element.facts ?? []).map((f) => f.title) : [],
  );
}

/** Local listening sockets of a process, read from /proc (Linux): "address:port" in hex as the kernel writes it. */
function listeningSockets(pid: number): string[] {
  const rows: string[] = [];
  for (const file of ['tcp', 'tcp6']) {
    const table = path.join('/proc', String(pid), 'net', file);
    if (!fs.existsSync(table)) continue;
    const inodes = new Set(
      fs
        .readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((link) => link.startsWith('socket:['))
        .map((link) => link.slice('socket:['.length, -1)),
    );
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9])) rows.push(cols[1]);
    }
  }
  return rows;
}

describe('the built bot in local mode', () => {
  let connector: FakeConnector;
  let bot: BotProcess;

  beforeAll(async () => {
    connector = await startFakeConnector();
    bot = await startBotProcess({ DATA_DIR: tempDataDir(), BIND_ADDRESS: '0.0.0.0' });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.close();
  });

  beforeEach(() => {
    connector.calls.length = 0;
  });

  it('when it starts without BOT_ID, then it says it is in local mode with authentication off', async () => {
    const warning = await bot.waitForLog((l) => l.level === 'warn' && String(l.msg).startsWith('Local mode'));
    expect(warning?.msg).toMatch(/authentication is OFF/);
    expect(warning?.msg).toMatch(/127\.0\.0\.1 only/);
  });

  it('when it starts without BOT_ID, then it listens on 127.0.0.1 only, even with BIND_ADDRESS=0.0.0.0', () => {
    expect(bot.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(bot.url).port);
    const sockets = listeningSockets(bot.child.pid as number);
    const portHex = port.toString(16).toUpperCase().padStart(4, '0');
    const ours = sockets.filter((s) => s.endsWith(`:${portHex}`));
    expect(ours).toEqual(['0100007F:' + portHex]);
  });

  it('when /healthz is asked, then it answers 200 with status, version, tenant mode and storage', async () => {
    const response = await fetch(`${bot.url}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: 'ok',
      version: JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version,
      tenantMode: 'simulated',
      storage: 'sqlite',
    });
  });

  it('when /readyz is asked, then it answers 200 ready: storage, jobs and the job runner answer', async () => {
    const response = await fetch(`${bot.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    });
  });

  it('when an admin types help in Teams, then the connector receives the command card', async () => {
    const response = await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'help'));
    expect(response.status).toBe(200);
    const [reply] = await connector.waitForActivities(1);
    expect(reply.method).toBe('POST');
    expect(reply.conversationId).toBe(`a:personal-${ALEX.aadObjectId}`);
    const card = cardOf(reply.body);
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(commandsListed(card)).toEqual([
      'new service account',
      'status',
      'cancel',
      'audit',
      'health',
      'help',
    ]);
    expect(reply.body.recipient).toMatchObject({ id: ALEX.id });
  });

  it.each(['HELP!', '<at>Service Account Bot</at> help', '  Help?  '])(
    'when the text is "%s", then it is understood as help',
    async (text) => {
      await postActivity(bot.url, teamsMessage(connector.serviceUrl, text));
      const [reply] = await connector.waitForActivities(1);
      expect(commandsListed(cardOf(reply.body))).toContain('new service account');
      const texts = cardOf(reply.body).body.map((e) => e.text ?? '');
      expect(texts.join(' ')).not.toMatch(/didn’t recognise/);
    },
  );

  it('when the text is not a command, then the card says so and lists the commands', async () => {
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'make me a sandwich'));
    const [reply] = await connector.waitForActivities(1);
    const card = cardOf(reply.body);
    expect(card.body.map((e) => e.text ?? '').join(' ')).toMatch(/didn’t recognise/);
    expect(commandsListed(card)).toHaveLength(6);
  });

  it.each([
    ['Status', 'You have no requests yet. Type `new service account` to make one.'],
    [
      'cancel.',
      'There is nothing to cancel: no form is open and none of your requests is waiting for approval.',
    ],
  ])('when an admin with no requests types "%s", then the bot answers plainly', async (text, answer) => {
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, text));
    const [reply] = await connector.waitForActivities(1);
    expect(reply.body.text).toBe(answer);
  });

  it('when an admin types "new service account", then the tenant check card is the first step', async () => {
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'New service account'));
    const [reply] = await connector.waitForActivities(1);
    const card = cardOf(reply.body);
    expect(card.body[0].text).toBe('Step 1 of 6 · Checks');
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'cancel'));
    // The form's card is redrawn without its buttons, and the admin is told.
    const calls = await connector.waitForActivities(3);
    expect(
      calls
        .slice(1)
        .map((c) => c.method)
        .sort(),
    ).toEqual(['POST', 'PUT']);
    expect(calls.slice(1).find((c) => c.method === 'POST')?.body.text).toBe(
      'Cancelled. Nothing was created.',
    );
  });

  it('when the app is installed, then the bot greets with the command card', async () => {
    await postActivity(bot.url, teamsInstall(connector.serviceUrl));
    const [reply] = await connector.waitForActivities(1);
    const card = cardOf(reply.body);
    expect(card.body.map((e) => e.text ?? '').join(' ')).toMatch(/^Service Account Bot Hello!/);
    expect(commandsListed(card)).toHaveLength(6);
  });

  it('when sending the reply fails, then the user gets a short apology with a reference and the log has the same reference', async () => {
    connector.failNext(1, 403); // not retried by the connector client
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'help'));
    const calls = await connector.waitForActivities(2);
    const apology = String(calls[1].body.text);
    const reference = /reference: ([0-9a-f-]{36})$/.exec(apology)?.[1];
    expect(apology).toMatch(/^Sorry — something went wrong on my side/);
    expect(reference).toBeDefined();
    // The words around the reference (a random id, which may happen to contain "403") say nothing
    // of the failure.
    expect(apology.replace(reference ?? '', '')).not.toMatch(/Error|at |stack|403|Injected/);
    const logged = await bot.waitForLog((l) => l.msg === 'Turn failed' && l.reference === reference);
    expect(logged).toBeDefined();
    expect(logged?.conversationId).toBe(`a:personal-${ALEX.aadObjectId}`);
  });
});

describe('starting and stopping the built bot', () => {
  it('when BOT_ID is set without the rest of its credentials, then the bot refuses to start and names them', async () => {
    const result = await runBotToExit({ BOT_ID: '11111111-2222-3333-4444-555555555555', PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration \(2 problems\)/);
    expect(result.stderr).toContain('BOT_PASSWORD: required with BOT_ID for BOT_TYPE=SingleTenant');
    expect(result.stderr).toContain('BOT_TENANT_ID: required with BOT_ID for BOT_TYPE=SingleTenant');
    expect(result.stdout).not.toContain('Service Account Bot started');
  });

  it('when the port is taken, then the bot exits with a clear message', async () => {
    const first = await startBotProcess({ DATA_DIR: tempDataDir() });
    try {
      const result = await runBotToExit({ PORT: new URL(first.url).port, DATA_DIR: tempDataDir() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Could not start the bot: .*EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });

  it('when SIGTERM arrives during a turn, then the turn finishes, its reply is delivered and the process exits 0', async () => {
    const connector = await startFakeConnector();
    const bot = await startBotProcess({ DATA_DIR: tempDataDir(), SHUTDOWN_GRACE_SECONDS: '10' });
    try {
      connector.setDelay(1500);
      const answered = postActivity(bot.url, teamsMessage(connector.serviceUrl, 'help'));
      await new Promise((r) => setTimeout(r, 300)); // the turn is now waiting on the slow connector
      const exitCode = bot.stop('SIGTERM');
      const response = await answered;
      expect(response.status).toBe(200);
      expect(connector.calls).toHaveLength(1);
      expect(await exitCode).toBe(0);
      const messages = bot.logs.map((l) => l.msg);
      expect(messages).toEqual(
        expect.arrayContaining(['Shutting down: no new requests; waiting for turns in flight', 'Stopped']),
      );
      const shutdown = bot.logs.find((l) => String(l.msg).startsWith('Shutting down'));
      expect(shutdown?.inFlight).toBe(1);
    } finally {
      await bot.stop('SIGKILL');
      await connector.close();
    }
  });
});
