/**
 * The password never leaks. The bot runs in process (fake Teams connector, built-in simulator, SQLite
 * in a temporary DATA_DIR, debug logging into the test) with a distinctive canary as the account's
 * password. After the whole mission — approval, provisioning, replication, Reveal, Reset, purge — the
 * canary may appear in exactly one place: the answer to the requester's Reveal press. It is searched
 * for in clear, base64 and URI-encoded in everything the bot sent to Teams, every log line, every
 * audit record, the stores, the SQLite files' bytes and every other answer the bot gave.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { exportAudit } from '../../src/tools/exportAudit';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { JOB_KINDS, jobId } from '../../src/jobs/jobKinds';
import { purgePassword } from '../../src/useCases/purgePassword';
import type { TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, TEST_TENANT_ID, type TeamsUser } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';
import { pendingRequest } from '../support/requests';
import { missionSteps } from '../support/steps';

/** ≥ 20 characters, upper, lower, digits and symbols, and nothing else in the run looks like them. */
const CANARIES = ['Canary#7xQ!mZ2pL9vR4tW8k', 'Canary$4hJ?nB6sD3fG1yU5e'] as const;
const USERNAME = 'svc-canary';
const UPN = `${USERNAME}@contoso.com`;

/** The forms a leaked password could take in text. */
function textForms(secret: string): Record<string, string> {
  return {
    clear: secret,
    base64: Buffer.from(secret, 'utf8').toString('base64'),
    base64url: Buffer.from(secret, 'utf8').toString('base64url'),
    uriComponent: encodeURIComponent(secret),
    uri: encodeURI(secret),
    formEncoded: new URLSearchParams({ p: secret }).toString().slice(2),
    // The tail alone: a leak that mangled or escaped the first characters is still found.
    tail: secret.slice(7),
  };
}

/** The forms a leaked password could take in a file's bytes. */
function byteForms(secret: string): Record<string, Buffer> {
  const forms: Record<string, Buffer> = { utf16le: Buffer.from(secret, 'utf16le') };
  for (const [name, text] of Object.entries(textForms(secret))) forms[name] = Buffer.from(text, 'utf8');
  return forms;
}

/** `where: form` for every form of every canary found in `text`. */
function leaksIn(where: string, text: string): string[] {
  return CANARIES.flatMap((canary, i) =>
    Object.entries(textForms(canary))
      .filter(([, form]) => text.includes(form))
      .map(([name]) => `${where}: canary ${i + 1} (${name})`),
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function revealedPassword(answer: InvokeAnswer): string | undefined {
  return JSON.stringify(answer.value).match(/"title":"Password","value":"([^"]+)"/)?.[1];
}

describe('the password canary', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let simulator: TenantSimulator;
  let dataDir: string;
  let request: ServiceAccountRequest;
  const logLines: string[] = [];
  const made: string[] = [];
  /** Every answer the bot gave over HTTP, except the requester's reveals (kept apart below). */
  const answers: { what: string; body: string }[] = [];
  const reveals: InvokeAnswer[] = [];

  beforeAll(async () => {
    // Alex and Megan say help here, not in the harness, so their answers are searched too.
    running = await startTestBot({
      settings: { LOG_LEVEL: 'debug' },
      known: [],
      hooks: {
        logSink: (line) => logLines.push(line),
        newPassword: () => {
          const next = CANARIES[made.length];
          if (next === undefined) throw new Error('The test has no more canaries');
          made.push(next);
          return next;
        },
      },
    });
    ({ bot, connector, dataDir } = running);
    simulator = bot.tenant.simulator as TenantSimulator;
    for (const who of [ALEX, MEGAN]) {
      const answer = await running.say('help', who);
      answers.push({ what: `help from ${who.name}`, body: answer.body });
    }
  });
  afterAll(async () => {
    await running?.close();
  });

  /** A press on the request's card; every answer is kept for the search, the requester's reveals apart. */
  async function invoke(verb: string, from: TeamsUser, keepApart = false): Promise<InvokeAnswer> {
    const answer = await running.invoke(verb, { requestId: request.id }, from);
    if (keepApart) reveals.push(answer);
    else answers.push({ what: `${verb} by ${from.name}`, body: JSON.stringify(answer) });
    return answer;
  }

  /** The mission, one step per test, in order. */
  const step = missionSteps();

  /** Runs the bot's jobs until `done` holds (replication polls are a few hundred ms apart). */
  async function until(what: string, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      bot.runner.poke();
      await bot.idle();
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function simulatedUser() {
    return simulator.state().users.find((u) => u.userPrincipalName === UPN);
  }

  step(
    'when Megan approves Alex’s request, then the account is set up with the canary and becomes Ready',
    async () => {
      request = await pendingRequest(bot, {
        username: USERNAME,
        details: { displayName: 'CiraSync Canary', contact: { city: 'Redmond' } },
      });
      const approved = await invoke(REQUEST_VERBS.approve, MEGAN);
      expect(JSON.stringify(approved.value)).toContain('Approved by Megan Bowen');
      await until(
        'the request is Ready',
        async () => (await bot.requests.get(TEST_TENANT_ID, request.id))?.state === 'Ready',
      );
      expect(made).toEqual([CANARIES[0]]);
      expect(simulatedUser()?.passwordSha256).toBe(sha256(CANARIES[0]));
      const vault = await bot.passwords.state(TEST_TENANT_ID, request.id);
      expect(vault.kind).toBe('held');
    },
  );

  step(
    'when Alex presses Reveal, then the answer holds the canary; when Megan presses it, she does not get it',
    async () => {
      const alex = await invoke(ACCOUNT_VERBS.reveal, ALEX, true);
      expect(alex.statusCode).toBe(200);
      expect(revealedPassword(alex)).toBe(CANARIES[0]);
      const megan = await invoke(ACCOUNT_VERBS.reveal, MEGAN);
      expect(megan.value).toBe('Only Alex Wilber, who asked for this account, can do that.');
      expect(leaksIn('Megan’s reveal', JSON.stringify(megan))).toEqual([]);
    },
  );

  step(
    'when Alex presses Reset password, then the account gets the second canary, only the reveal answer shows it, and the first is gone',
    async () => {
      const reset = await invoke(ACCOUNT_VERBS.reset, ALEX);
      expect(reset.statusCode).toBe(200);
      expect(JSON.stringify(reset.value)).toContain(ACCOUNT_VERBS.reveal);
      expect(made).toEqual([...CANARIES]);
      expect(simulatedUser()?.passwordSha256).toBe(sha256(CANARIES[1]));
      const alex = await invoke(ACCOUNT_VERBS.reveal, ALEX, true);
      expect(revealedPassword(alex)).toBe(CANARIES[1]);
      // The revealed view is the ready card itself: its buttons stay.
      expect(JSON.stringify(alex.value)).toContain(ACCOUNT_VERBS.downgrade);
      expect(JSON.stringify(alex.value)).toContain(ACCOUNT_VERBS.reset);
      expect(JSON.stringify(alex)).not.toContain(CANARIES[0]);
      const megan = await invoke(ACCOUNT_VERBS.reveal, MEGAN);
      expect(revealedPassword(megan)).toBeUndefined();
    },
  );

  step(
    'when Alex types status, then his ready request comes with its card and buttons again, without the password',
    async () => {
      const before = connector.calls.length;
      await running.say('status', ALEX);
      const sent = connector.calls.slice(before).filter((c) => c.method === 'POST');
      const cards = sent.map((c) => JSON.stringify(c.body));
      expect(cards[0]).toContain('Below, the card of each ready one, with its buttons.');
      const ready = cards.find((c) => c.includes(ACCOUNT_VERBS.downgrade));
      expect(ready).toBeDefined();
      expect(ready).toContain(ACCOUNT_VERBS.reveal);
      expect(ready).toContain(ACCOUNT_VERBS.reset);
      for (const canary of CANARIES) expect(ready).not.toContain(canary);
    },
  );

  step(
    'when the purge job runs, then before the deadline it waits, after it the vault is purged, and Reveal says the password was forgotten',
    async () => {
      const state = await bot.passwords.state(TEST_TENANT_ID, request.id);
      if (state.kind !== 'held' || state.revealUntil === undefined)
        throw new Error(`The vault should hold the password with a deadline, not ${JSON.stringify(state)}`);
      const deadline = Date.parse(state.revealUntil);
      const job = await bot.jobs.get(jobId(JOB_KINDS.passwordPurge, TEST_TENANT_ID, request.id));
      expect(job).toMatchObject({ state: 'queued', nextRunAt: deadline });
      if (job === undefined) return;
      const key = { tenantId: job.tenantId, requestId: job.requestId };
      const deps = bot.services;
      const sentBefore = connector.calls.length;
      const early = await purgePassword({ ...deps, now: () => new Date(deadline - 1_000) }, key);
      expect(early).toEqual({ kind: 'retryAt', at: deadline });
      expect((await bot.passwords.state(TEST_TENANT_ID, request.id)).kind).toBe('held');

      const late = await purgePassword({ ...deps, now: () => new Date(deadline + 1_000) }, key);
      expect(late).toEqual({ kind: 'done' });
      expect(await bot.passwords.state(TEST_TENANT_ID, request.id)).toEqual({
        kind: 'purged',
        at: new Date(deadline + 1_000).toISOString(),
      });
      expect(await bot.passwords.reveal(TEST_TENANT_ID, request.id)).toBeUndefined();
      const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
      expect(events.filter((e) => e === 'password purged')).toHaveLength(1);
      // Both ready cards (the first, where a password was revealed, and the one `status` showed) are
      // redrawn without it, buttons kept.
      const redrawn = connector.calls.slice(sentBefore).filter((c) => c.method === 'PUT');
      expect(new Set(redrawn.map((c) => c.activityId)).size).toBe(2);
      for (const call of redrawn) {
        const card = JSON.stringify(call.body);
        expect(card).toContain('I forgot its password at');
        expect(card).not.toContain(ACCOUNT_VERBS.reveal);
        expect(card).toContain(ACCOUNT_VERBS.reset);
        for (const canary of CANARIES) expect(card).not.toContain(canary);
      }

      const after = await invoke(ACCOUNT_VERBS.reveal, ALEX);
      expect(String(after.value)).toMatch(/^I forgot the password at .+, as planned\./);
      expect(revealedPassword(after)).toBeUndefined();
    },
  );

  step(
    'when everything the bot sent, logged, audited, stored and answered is searched, then neither canary is anywhere but in the two reveal answers',
    async () => {
      await until('background work is done', async () => true);
      expect(reveals.map(revealedPassword)).toEqual([...CANARIES]);
      // The sink saw the mission (the bot logs nothing at debug level on this path; info and warn do show up).
      expect(logLines.some((line) => line.includes('"kind":"provision"'))).toBe(true);
      expect(logLines.some((line) => line.includes('Card press refused'))).toBe(true);
      expect(connector.calls.length).toBeGreaterThan(3);

      const leaks: string[] = [];
      connector.calls.forEach((call, i) =>
        leaks.push(...leaksIn(`connector call ${i + 1} (${call.method} ${call.path})`, JSON.stringify(call))),
      );
      logLines.forEach((line, i) => leaks.push(...leaksIn(`log line ${i + 1}`, line)));
      for (const answer of answers) leaks.push(...leaksIn(`answer to ${answer.what}`, answer.body));
      const audit = [
        ...(await bot.audit.forRequest(TEST_TENANT_ID, request.id)),
        ...(await bot.audit.recent(TEST_TENANT_ID, 1_000)),
      ];
      expect(audit.length).toBeGreaterThan(5);
      audit.forEach((record, i) =>
        leaks.push(...leaksIn(`audit record ${i + 1} (${record.event})`, JSON.stringify(record))),
      );
      leaks.push(
        ...leaksIn('the request', JSON.stringify(await bot.requests.get(TEST_TENANT_ID, request.id))),
      );
      leaks.push(
        ...leaksIn('the jobs', JSON.stringify(await bot.jobs.listForRequest(TEST_TENANT_ID, request.id))),
      );
      leaks.push(
        ...leaksIn('the simulator', JSON.stringify({ state: simulator.state(), calls: simulator.calls() })),
      );

      const scanFiles = (when: string): void => {
        for (const name of fs.readdirSync(dataDir)) {
          const bytes = fs.readFileSync(path.join(dataDir, name));
          CANARIES.forEach((canary, i) => {
            for (const [form, needle] of Object.entries(byteForms(canary)))
              if (bytes.includes(needle)) leaks.push(`${when} file ${name}: canary ${i + 1} (${form})`);
          });
        }
      };
      const files = fs.readdirSync(dataDir);
      expect(files).toContain('service-account-bot.sqlite');
      expect(files).toContain('service-account-bot.sqlite-wal');
      scanFiles('open');
      await bot.close();
      scanFiles('closed');

      // The audit export (npm run audit:export) reads the same store: nothing in it either.
      const exported: string[] = [];
      const count = await exportAudit({
        storage: { kind: 'sqlite', dataDir },
        tenantId: TEST_TENANT_ID,
        limit: 1_000,
        write: (line) => exported.push(line),
      });
      expect(count).toBeGreaterThan(5);
      exported.forEach((line, i) => leaks.push(...leaksIn(`exported audit line ${i + 1}`, line)));

      expect(leaks).toEqual([]);
    },
  );
});
