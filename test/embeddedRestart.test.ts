/**
 * The embedded default (simulated tenant, SQLite in DATA_DIR) killed and started again: the simulated
 * tenant comes back with the bot's records, so a request cut off half-way goes on to Ready and the
 * password Reveal hands over is the one of an account the tenant holds. The built bot runs as a
 * child process, driven over loopback with a fake Teams connector.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ACCOUNT_VERBS, FORM_VERBS, REQUEST_VERBS } from '../cards/verbs';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { SIMULATED_TENANT_FILE_NAME, simulatedTenantFile } from '../src/runtime/simulatedTenant';
import { SKUS } from '../src/simulator';
import { ALEX, MEGAN, postActivity, teamsCardAction, teamsMessage } from './support/activities';
import type { InvokeAnswer } from './support/botHarness';
import { type BotProcess, runBotToExit, startBotProcess, tempDataDir } from './support/botProcess';
import { type ConnectorCall, type FakeConnector, startFakeConnector } from './support/fakeConnector';

jest.setTimeout(60_000);

const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;
const TENANT_FILE = 'simulated-tenant.json';

describe('where the embedded simulated tenant is kept', () => {
  function warnings(settings: Record<string, string>): { file?: string; lines: string[] } {
    const lines: string[] = [];
    const logger = createLogger('info', (line, level) => {
      if (level === 'warn') lines.push(line);
    });
    return { file: simulatedTenantFile(loadConfig(settings), logger), lines };
  }

  test('when the bot uses SQLite, then the tenant is kept in DATA_DIR beside the database, with no warning for a new folder', () => {
    const dataDir = tempDataDir();
    try {
      expect(SIMULATED_TENANT_FILE_NAME).toBe(TENANT_FILE);
      expect(warnings({ DATA_DIR: dataDir })).toEqual({ file: path.join(dataDir, TENANT_FILE), lines: [] });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('when the bot uses Azure storage, then the simulated tenant stays in memory and the start says it is per process', () => {
    const { file, lines } = warnings({
      STORAGE: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(file).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/simulated tenant lives in the memory of this process/);
    expect(lines[0]).toMatch(/each instance has its own/);
  });
});

/** Short simulated Exchange delays (recipient 1 s, mailbox 1.5 s, replication 3 s), quick job retries. */
function settings(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    SIMULATOR_REPLICATION_SECONDS: '3',
    REPLICATION_SETTLE_MINUTES: '0.02',
    REPLICATION_POLL_SECONDS: '0.3',
    APPROVAL_REMINDER_HOURS: '0',
    JOB_LEASE_SECONDS: '1',
  };
}

function cardIn(call: ConnectorCall): unknown {
  const attachments = call.body.attachments as { content: unknown }[] | undefined;
  if (attachments === undefined) throw new Error(`Expected a card, got text: ${String(call.body.text)}`);
  return attachments[0].content;
}

function formIdIn(card: unknown): string {
  const id = JSON.stringify(card).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
  if (id === undefined) throw new Error(`no formId in ${JSON.stringify(card).slice(0, 300)}`);
  return id;
}

/** A progress card of Alex's request saying at least one step is done (or all, waiting for Exchange). */
function isProgressPastFirstStep(call: ConnectorCall): boolean {
  if (call.conversationId !== ALEX_CHAT) return false;
  const text = JSON.stringify(call.body);
  const done = /\((\d+) of \d+ steps done\)/.exec(text)?.[1];
  return (done !== undefined && Number(done) >= 1) || text.includes('Created — waiting for Exchange');
}

const isReadyCard = (call: ConnectorCall): boolean =>
  call.method === 'POST' &&
  call.conversationId === ALEX_CHAT &&
  JSON.stringify(call.body).includes(ACCOUNT_VERBS.downgrade);

describe('the embedded default, killed and started again on the same DATA_DIR', () => {
  let connector: FakeConnector;
  let dataDir: string;
  let bot: BotProcess | undefined;

  beforeEach(async () => {
    connector = await startFakeConnector();
    dataDir = tempDataDir();
  });
  afterEach(async () => {
    await bot?.stop('SIGKILL');
    bot = undefined;
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function waitFor(
    what: string,
    match: (call: ConnectorCall) => boolean,
    from = 0,
    timeoutMs = 20_000,
  ): Promise<ConnectorCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = connector.calls.slice(from).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const sent = connector.calls.map(
          (c) => `${c.method} ${c.conversationId} ${String(c.body.text ?? '[card]')}`,
        );
        throw new Error(`no ${what} within ${timeoutMs} ms; sent so far:\n${sent.join('\n')}\n${logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function logTail(): string {
    return (bot?.logs ?? [])
      .slice(-15)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }

  async function invoke(
    verb: string,
    data: Record<string, unknown>,
    from = ALEX,
    conversationId?: string,
  ): Promise<InvokeAnswer> {
    const response = await postActivity(
      (bot as BotProcess).url,
      teamsCardAction(connector.serviceUrl, verb, data, { from, conversationId }),
    );
    expect(response.status).toBe(200);
    return (await response.json()) as InvokeAnswer;
  }

  /** Presses `verb` on `card` with `inputs`; returns the card the bot sends next. */
  async function press(card: unknown, verb: string, inputs: Record<string, unknown> = {}): Promise<unknown> {
    const before = connector.calls.length;
    await invoke(verb, { formId: formIdIn(card), verb, ...inputs });
    return cardIn(
      await waitFor('the next card', (c) => c.method === 'POST' && c.conversationId === ALEX_CHAT, before),
    );
  }

  /** Alex asks for cirasync-svc@contoso.com and Megan approves it in her chat; returns the request id. */
  async function askAndApprove(): Promise<string> {
    const before = connector.calls.length;
    await postActivity((bot as BotProcess).url, teamsMessage(connector.serviceUrl, 'new service account'));
    const checks = cardIn(await waitFor('the checks card', (c) => c.conversationId === ALEX_CHAT, before));
    const account = await press(checks, FORM_VERBS.next);
    const contact = await press(account, FORM_VERBS.next, {
      displayName: 'CiraSync Service',
      username: 'cirasync-svc',
      domain: 'contoso.com',
    });
    const sync = await press(contact, FORM_VERBS.next);
    const approver = await press(sync, FORM_VERBS.next, {
      publicFolders: 'false',
      skuId: SKUS.EXCHANGESTANDARD.skuId,
      usageLocation: 'us',
    });
    const review = await press(approver, FORM_VERBS.next, { approverId: MEGAN.aadObjectId });
    const submitted = await invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit });
    expect(submitted.statusCode).toBe(200);
    const megansCard = await waitFor(
      'the approval card in Megan’s chat',
      (c) =>
        c.conversationId.startsWith('a:created-') && JSON.stringify(c.body).includes(REQUEST_VERBS.approve),
      before,
    );
    const requestId = JSON.stringify(megansCard.body).match(/"requestId":"([0-9a-f-]{36})"/)?.[1] as string;
    const approved = await invoke(REQUEST_VERBS.approve, { requestId }, MEGAN, megansCard.conversationId);
    expect(JSON.stringify(approved.value)).toContain('Approved by Megan Bowen');
    return requestId;
  }

  test('when the bot is killed while it sets up an account, then after a restart the request goes on to Ready and Reveal gives the password of the account the tenant holds', async () => {
    bot = await startBotProcess(settings(dataDir));
    const requestId = await askAndApprove();
    await waitFor('a progress card with a step done', isProgressPastFirstStep);
    await bot.stop('SIGKILL');

    const afterKill = connector.calls.length;
    bot = await startBotProcess(settings(dataDir));
    const ready = await waitFor('the ready card after the restart', isReadyCard, afterKill, 40_000);
    expect(JSON.stringify(ready.body)).toContain('cirasync-svc@contoso.com');
    expect(connector.calls.slice(afterKill).some((c) => JSON.stringify(c.body).includes('failed'))).toBe(
      false,
    );

    const revealed = await invoke(ACCOUNT_VERBS.reveal, { requestId });
    const password = JSON.stringify(revealed.value).match(/"title":"Password","value":"([^"]+)"/)?.[1];
    expect(password).toHaveLength(24);
    await bot.stop();

    // The tenant the bot came back to holds that account, with that password (kept as a hash only).
    const text = fs.readFileSync(path.join(dataDir, TENANT_FILE), 'utf8');
    const saved = JSON.parse(text) as {
      tenant: { users: { userPrincipalName: string; passwordSha256: string }[] };
    };
    const accounts = saved.tenant.users.filter((u) => u.userPrincipalName === 'cirasync-svc@contoso.com');
    expect(accounts).toHaveLength(1);
    expect(accounts[0].passwordSha256).toBe(
      createHash('sha256')
        .update(password as string)
        .digest('hex'),
    );
    expect(text).not.toContain(password);
  });

  test('when the DATA_DIR has the bot’s database but no simulated tenant file, then the start says so in one warning', async () => {
    bot = await startBotProcess(settings(dataDir));
    await bot.stop();
    fs.rmSync(path.join(dataDir, TENANT_FILE));
    bot = await startBotProcess(settings(dataDir));
    const warning = await bot.waitForLog(
      (l) => l.level === 'warn' && String(l.msg).includes('without a simulated tenant file'),
    );
    expect(warning?.msg).toMatch(/requests made before may name accounts it does not hold/);
    expect(fs.existsSync(path.join(dataDir, TENANT_FILE))).toBe(true);
  });

  test('when the simulated tenant file is damaged, then the bot does not start and says which file and how to start over', async () => {
    bot = await startBotProcess(settings(dataDir));
    await bot.stop();
    const file = path.join(dataDir, TENANT_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 200));
    const result = await runBotToExit({ PORT: '0', ...settings(dataDir) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Could not start the bot: The simulated tenant's file ${file} is not valid JSON`,
    );
    expect(result.stderr).toContain(`To start over, stop the bot and delete ${dataDir}`);
    expect(result.stdout).not.toContain('Service Account Bot started');
  });
});
