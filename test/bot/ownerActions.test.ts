/**
 * The owners' buttons on the ready card through the running bot (in process, over HTTP, fake Teams
 * connector, the built-in simulator): Owners lists who looks after the account and adds or removes
 * one; Disable and Enable account change only this account in Entra; Rotate password and Hand over to
 * Key Vault put the password in the (simulated) vault and never in chat. Wrong people, a removed
 * requester, a group chat and forged card data are refused and change nothing.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { SIMULATED_BOT_APP_ID } from '../../src/runtime/simulatedTenant';
import type { TenantSimulator } from '../../src/simulator';
import { ADELE, ALEX, MEGAN, PATTI, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import { pendingRequest, untilState } from '../support/requests';

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

function verbsOf(card: unknown): string[] {
  return [...text(card).matchAll(/"verb":"([^"]+)"/g)]
    .map((m) => m[1])
    .filter((v, i, all) => all.indexOf(v) === i);
}

const chatOf = (person: TeamsUser) => `a:personal-${person.aadObjectId}`;

describe('the owners’ buttons, without Key Vault', () => {
  let running: TestBot;
  let bot: RunningBot;
  let simulator: TenantSimulator;
  let account: ServiceAccountRequest;
  let neighbour: ServiceAccountRequest;

  beforeAll(async () => {
    running = await startTestBot({ known: [ALEX, MEGAN, ADELE, PATTI] });
    bot = running.bot;
    simulator = bot.tenant.simulator as TenantSimulator;
    const ready = async (username: string) => {
      const request = await pendingRequest(bot, { username });
      await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
      await untilState(bot, request.id, 'Ready', 60_000);
      await bot.idle();
      return request;
    };
    account = await ready('svc-owners-1');
    neighbour = await ready('svc-owners-2');
  }, 120_000);
  afterAll(async () => {
    await running?.close();
  });

  const press = (verb: string, by: TeamsUser, data: Record<string, unknown> = {}, where = {}) =>
    running.invoke(verb, { requestId: account.id, ...data }, by, where);
  const stored = async (request = account) =>
    (await bot.requests.get(TEST_TENANT_ID, request.id)) as ServiceAccountRequest;
  const userOf = (request: ServiceAccountRequest) =>
    simulator.state().users.find((u) => u.userPrincipalName === `${request.details.username}@contoso.com`);
  const toldIn = (person: TeamsUser, since: number) =>
    running.connector.calls
      .slice(since)
      .filter((c) => c.conversationId === chatOf(person) && typeof c.body.text === 'string')
      .map((c) => String(c.body.text));

  it('when Alex presses Owners, then the card lists Alex and Megan with a Remove each and a field to add one', async () => {
    const answer = await press(ACCOUNT_VERBS.owners, ALEX);
    const card = text(answer.value);
    expect(card).toContain('Who looks after this account');
    expect(card).toContain('Alex Wilber');
    expect(card).toContain('Megan Bowen');
    expect(card).toContain(`"ownerId":"${MEGAN.aadObjectId}"`);
    expect(verbsOf(answer.value)).toEqual([
      ACCOUNT_VERBS.ownerRemove,
      ACCOUNT_VERBS.ownerAdd,
      ACCOUNT_VERBS.ownersDone,
    ]);
  });

  it('when Alex adds Patti, who is no admin, then the card says why and nothing changes', async () => {
    const before = await stored();
    const answer = await press(ACCOUNT_VERBS.ownerAdd, ALEX, { newOwner: 'pattif' });
    expect(text(answer.value)).toContain(
      'Patti Fernandez is not a Global Administrator or Privileged Role Administrator, so they cannot look after an account that is a Global Administrator.',
    );
    expect(await stored()).toEqual(before);
  });

  it('when Alex adds Adele by her user name with card data forged to name Patti, then Adele (what he typed) is added, audited, and told in her chat', async () => {
    const since = running.connector.calls.length;
    const answer = await press(ACCOUNT_VERBS.ownerAdd, ALEX, {
      newOwner: 'adelev',
      ownerId: PATTI.aadObjectId,
      newOwnerId: PATTI.aadObjectId,
      aadObjectId: PATTI.aadObjectId,
    });
    expect(text(answer.value)).toContain('Adele Vance now looks after this account too.');
    expect((await stored()).owners?.map((o) => o.aadObjectId)).toEqual([
      ALEX.aadObjectId,
      MEGAN.aadObjectId,
      ADELE.aadObjectId,
    ]);
    const added = (await bot.audit.forRequest(TEST_TENANT_ID, account.id)).filter(
      (r) => r.event === 'owner added',
    );
    expect(added).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ aadObjectId: ALEX.aadObjectId }) }),
    ]);
    expect(added[0].detail).toMatch(/^Adele Vance \(adelev@/);
    await bot.idle();
    expect(
      toldIn(ADELE, since).some((t) =>
        t.startsWith('Alex Wilber made you an owner of svc-owners-1@contoso.com'),
      ),
    ).toBe(true);
    expect(toldIn(MEGAN, since)).toContain(
      'Alex Wilber added Adele Vance as an owner of svc-owners-1@contoso.com.',
    );
    expect(toldIn(PATTI, since)).toEqual([]);
  });

  it('when Adele, now an owner, types status, then she gets the account’s ready card with the owners’ buttons and without Reveal or Reset', async () => {
    const since = running.connector.calls.length;
    await running.say('status', ADELE);
    const replies = running.connector.calls.slice(since).filter((c) => c.conversationId === chatOf(ADELE));
    expect(replies.map((c) => String(c.body.text ?? '')).join(' ')).toContain(
      'You also look after 1 account someone else asked for: svc-owners-1@contoso.com.',
    );
    const card = replies.map((c) => text(c.body.attachments)).find((a) => a.includes(account.id)) ?? '';
    expect(card).toContain(ACCOUNT_VERBS.owners);
    expect(card).toContain(ACCOUNT_VERBS.downgrade);
    expect(card).not.toContain(ACCOUNT_VERBS.reveal);
    expect(card).not.toContain(ACCOUNT_VERBS.reset);
    // The requester's own copy still has them: the difference is the viewer's.
    const mark = running.connector.calls.length;
    await running.say('status', ALEX);
    const alexCard = running.connector.calls
      .slice(mark)
      .map((c) => text(c.body.attachments))
      .find((a) => a.includes(account.id) && a.includes(ACCOUNT_VERBS.owners));
    expect(alexCard).toContain(ACCOUNT_VERBS.reveal);
    // And from her card, an owner's button goes through.
    const owners = await press(ACCOUNT_VERBS.owners, ADELE);
    expect(text(owners.value)).toContain('Adele Vance');
    // Patti owns nothing: she still has no requests.
    const patti = running.connector.calls.length;
    await running.say('status', PATTI);
    expect(running.connector.calls.slice(patti).map((c) => String(c.body.text ?? ''))).toContain(
      'You have no requests yet. Type `new service account` to make one.',
    );
  });

  it('when Megan removes Alex, the requester, then his presses are refused afterwards and change nothing', async () => {
    const answer = await press(ACCOUNT_VERBS.ownerRemove, MEGAN, { ownerId: ALEX.aadObjectId });
    expect(text(answer.value)).toContain('Alex Wilber no longer looks after this account.');
    const before = await stored();
    for (const verb of [ACCOUNT_VERBS.owners, ACCOUNT_VERBS.ownerAdd, ACCOUNT_VERBS.disableConfirmed]) {
      const refused = await press(verb, ALEX, { newOwner: 'alexw' });
      expect(refused.value).toBe(
        'Only Megan Bowen or Adele Vance, who look after this account, can do that.',
      );
    }
    expect(await stored()).toEqual(before);
    expect(userOf(account)?.accountEnabled).toBe(true);
  });

  it('when card data is forged — someone not an owner to remove, another request’s id, a group chat — then each is refused and nothing changes', async () => {
    const before = await stored();
    const beforeNeighbour = await stored(neighbour);
    const notOwner = await press(ACCOUNT_VERBS.ownerRemove, MEGAN, { ownerId: PATTI.aadObjectId });
    expect(notOwner.value).toBe(
      'That person does not look after this account, so there is nobody to remove.',
    );
    // Adele looks after the first account only: naming the other request does not make her its owner.
    const elsewhere = await running.invoke(
      ACCOUNT_VERBS.ownerRemove,
      { requestId: neighbour.id, ownerId: MEGAN.aadObjectId },
      ADELE,
    );
    expect(elsewhere.value).toBe(
      'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
    );
    const shared: InvokeAnswer = await press(
      ACCOUNT_VERBS.ownerRemove,
      MEGAN,
      { ownerId: ADELE.aadObjectId },
      { groupChatId: '19:owners@thread.v2' },
    );
    expect(String(shared.value)).toMatch(/only in our personal chat/);
    expect(await stored()).toEqual(before);
    expect(await stored(neighbour)).toEqual(beforeNeighbour);
  });

  it('when Megan disables the account (asked once more), then only this account is disabled in Entra, the card says by whom, and Adele is told; Adele enables it again', async () => {
    const asked = await press(ACCOUNT_VERBS.disable, MEGAN);
    expect(verbsOf(asked.value)).toEqual([ACCOUNT_VERBS.disableConfirmed]);
    expect(userOf(account)?.accountEnabled).toBe(true);

    const since = running.connector.calls.length;
    const done = await press(ACCOUNT_VERBS.disableConfirmed, MEGAN);
    expect(text(done.value)).toMatch(/Disabled by Megan Bowen at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(verbsOf(done.value)).toContain(ACCOUNT_VERBS.enable);
    expect(verbsOf(done.value)).not.toContain(ACCOUNT_VERBS.disable);
    expect(userOf(account)?.accountEnabled).toBe(false);
    expect(userOf(neighbour)?.accountEnabled).toBe(true);
    expect((await stored()).accountDisabled?.by.aadObjectId).toBe(MEGAN.aadObjectId);
    await bot.idle();
    expect(
      toldIn(ADELE, since).some((t) => t.startsWith('Megan Bowen disabled svc-owners-1@contoso.com')),
    ).toBe(true);

    // Pressed again from an older copy of the card: harmless.
    await press(ACCOUNT_VERBS.disableConfirmed, MEGAN);
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, account.id)).map((r) => r.event);
    expect(events.filter((e) => e === 'account disabled')).toHaveLength(1);

    expect(verbsOf((await press(ACCOUNT_VERBS.enable, ADELE)).value)).toEqual([
      ACCOUNT_VERBS.enableConfirmed,
    ]);
    const enabled = await press(ACCOUNT_VERBS.enableConfirmed, ADELE);
    expect(verbsOf(enabled.value)).toContain(ACCOUNT_VERBS.disable);
    expect(userOf(account)?.accountEnabled).toBe(true);
    expect((await stored()).accountDisabled).toBeUndefined();
    expect((await bot.audit.forRequest(TEST_TENANT_ID, account.id)).at(-1)).toMatchObject({
      event: 'account enabled',
      actor: { aadObjectId: ADELE.aadObjectId },
    });
  });

  it('when an owner presses Rotate password without Key Vault, then it is refused in plain words and the ready card does not offer it', async () => {
    const writes = simulator.mutatingCalls().length;
    const answer = await press(ACCOUNT_VERBS.rotate, MEGAN);
    expect(answer.value).toMatch(
      /^Rotate password needs Azure Key Vault, so that the new password is never shown in chat/,
    );
    expect(simulator.mutatingCalls()).toHaveLength(writes);
    const card = await press(ACCOUNT_VERBS.ownersDone, MEGAN);
    expect(verbsOf(card.value)).not.toContain(ACCOUNT_VERBS.rotate);
    expect(verbsOf(card.value)).not.toContain(ACCOUNT_VERBS.handOver);
  });
});

describe('the owners’ buttons, with Key Vault', () => {
  const PASSWORDS = ['Rotate#9kT!pQ2wX7zR4mN8bH', 'Rotate$3jL?fD6sA1gY5cV0eU', 'Rotate%5nM!hJ8kP2qW4tR6yZ'];
  let running: TestBot;
  let bot: RunningBot;
  let made = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    running = await startTestBot({
      settings: { SIMULATOR_REPLICATION_SECONDS: '0.6', KEY_VAULT_URL: 'simulator', LOG_LEVEL: 'debug' },
      hooks: {
        newPassword: () => PASSWORDS[made++ % PASSWORDS.length],
        logSink: (line: string) => logs.push(line),
      },
    });
    bot = running.bot;
  });
  afterAll(async () => {
    await running?.close();
  });

  async function ready(username: string): Promise<ServiceAccountRequest> {
    const request = await pendingRequest(bot, { username });
    await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    await untilState(bot, request.id, 'Ready', 60_000);
    await bot.idle();
    return request;
  }

  const sha = (value: string) => createHash('sha256').update(value).digest('hex');

  it('when Megan presses Rotate password, then Key Vault holds a new version that is the account’s password in Entra, and no password is in chat, the audit trail or the logs', async () => {
    const request = await ready('svc-rotate-1');
    const simulator = bot.tenant.simulator as TenantSimulator;
    const secrets = () => simulator.keyVaultSecrets().filter((s) => s.tags.requestId === request.id);
    expect(secrets()).toHaveLength(1);
    const answer = await running.invoke(ACCOUNT_VERBS.rotate, { requestId: request.id }, MEGAN);
    expect(answer.statusCode).toBe(200);
    const versions = secrets();
    expect(versions).toHaveLength(2);
    const newest = versions[1].value;
    expect(newest).not.toBe(versions[0].value);
    const user = simulator.state().users.find((u) => u.userPrincipalName === 'svc-rotate-1@contoso.com');
    expect(user?.passwordSha256).toBe(sha(newest));
    expect(text(answer.value)).toContain(versions[1].name);
    const audit = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.at(-1)).toMatchObject({
      event: 'password rotated',
      actor: { aadObjectId: MEGAN.aadObjectId },
    });
    await bot.idle();
    expect(logs.length).toBeGreaterThan(0);
    const everything = text([running.connector.calls, audit, answer, logs]);
    for (const password of versions.map((v) => v.value)) expect(everything).not.toContain(password);
  });

  it('when Key Vault refused at "ready" and the bot holds the password, then an owner’s Hand over to Key Vault stores it and forgets it here', async () => {
    const simulator = bot.tenant.simulator as TenantSimulator;
    simulator.setKeyVaultRole(SIMULATED_BOT_APP_ID, undefined);
    let request: ServiceAccountRequest;
    try {
      request = await ready('svc-handover-1');
    } finally {
      simulator.setKeyVaultRole(SIMULATED_BOT_APP_ID, 'Key Vault Secrets Officer');
    }
    expect(await bot.passwords.state(TEST_TENANT_ID, request.id)).toMatchObject({ kind: 'held' });
    const refused = await running.invoke(ACCOUNT_VERBS.handOver, { requestId: request.id }, ADELE);
    expect(refused.value).toBe('Only Alex Wilber or Megan Bowen, who look after this account, can do that.');
    const answer = await running.invoke(ACCOUNT_VERBS.handOver, { requestId: request.id }, MEGAN);
    expect(verbsOf(answer.value)).not.toContain(ACCOUNT_VERBS.handOver);
    expect(verbsOf(answer.value)).not.toContain(ACCOUNT_VERBS.reveal);
    const secrets = simulator.keyVaultSecrets().filter((s) => s.tags.requestId === request.id);
    expect(secrets).toHaveLength(1);
    expect(await bot.passwords.state(TEST_TENANT_ID, request.id)).toMatchObject({ kind: 'purged' });
    const audit = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.at(-1)).toMatchObject({
      event: 'password handed over',
      actor: { aadObjectId: MEGAN.aadObjectId },
    });
    expect(text([audit, answer, logs])).not.toContain(secrets[0].value);
  });
});
