/**
 * The password hand-over through Azure Key Vault (KEY_VAULT_URL; here the simulated vault): when the
 * account is ready its password is stored as a secret with an expiry and the request id as a tag, the
 * local sealed copy is forgotten, and the ready card points at the secret instead of a Reveal button.
 * A vault that refuses keeps the password here for Reveal and says why.
 */
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { SIMULATED_BOT_APP_ID } from '../../src/runtime/simulatedTenant';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { ALEX, MEGAN, TEST_TENANT_ID, type TeamsUser } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';

const PASSWORDS = ['Vault#9kT!pQ2wX7zR4mN8bH', 'Vault$3jL?fD6sA1gY5cV0eU', 'Vault%5nM!hJ8kP2qW4tR6yZ'];

describe('password hand-over to Key Vault', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let made = 0;
  let counter = 0;

  beforeAll(async () => {
    running = await startTestBot({
      settings: {
        SIMULATOR_REPLICATION_SECONDS: '0.6',
        KEY_VAULT_URL: 'simulator',
        KEY_VAULT_SECRET_EXPIRY_DAYS: '2',
      },
      known: [ALEX, MEGAN],
      hooks: { newPassword: () => PASSWORDS[made++ % PASSWORDS.length] },
    });
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  /** The whole answer to a press, as text. */
  async function invoke(verb: string, request: ServiceAccountRequest, from: TeamsUser): Promise<string> {
    return JSON.stringify(await running.invoke(verb, { requestId: request.id }, from));
  }

  /** A request from Alex, approved by Megan, waited for until it is Ready. */
  async function readyRequest(): Promise<ServiceAccountRequest> {
    counter += 1;
    const request = await pendingRequest(bot, { username: `svc-vault-${counter}` });
    await invoke(REQUEST_VERBS.approve, request, MEGAN);
    await untilState(bot, request.id, 'Ready');
    await bot.idle();
    return request;
  }

  function readyCardFor(request: ServiceAccountRequest): string {
    const card = connector.calls.find(
      (c) =>
        c.method === 'POST' &&
        JSON.stringify(c.body).includes(ACCOUNT_VERBS.downgrade) &&
        JSON.stringify(c.body).includes(request.id),
    );
    return JSON.stringify(card?.body ?? null);
  }

  it('when the account is ready, then its password is a Key Vault secret with an expiry and the request id, and nothing is kept here', async () => {
    const before = made;
    const request = await readyRequest();
    const password = PASSWORDS[before % PASSWORDS.length];
    const secrets = bot.tenant.simulator?.keyVaultSecrets() ?? [];
    const mine = secrets.filter((s) => s.tags.requestId === request.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].value).toBe(password);
    expect(mine[0].name).toMatch(/^sab-svc-vault-1-contoso-com-/);
    const expires = (mine[0].exp ?? 0) * 1000;
    expect(expires - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect(expires - Date.now()).toBeLessThan(49 * 3_600_000);

    expect(await bot.passwords.state(TEST_TENANT_ID, request.id)).toMatchObject({ kind: 'purged' });
    const card = readyCardFor(request);
    expect(card).toContain(mine[0].name);
    expect(card).not.toContain(ACCOUNT_VERBS.reveal);
    expect(card).not.toContain(password);
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events).toContain('password handed over');
    expect(JSON.stringify(await bot.audit.forRequest(TEST_TENANT_ID, request.id))).not.toContain(password);

    // Reveal has nothing to show; Reset stores a new version in the vault.
    expect(await invoke(ACCOUNT_VERBS.reveal, request, ALEX)).not.toContain(password);
    const next = PASSWORDS[made % PASSWORDS.length];
    const reset = await invoke(ACCOUNT_VERBS.reset, request, ALEX);
    expect(reset).not.toContain(next);
    const versions = (bot.tenant.simulator?.keyVaultSecrets() ?? []).filter((s) => s.name === mine[0].name);
    expect(versions.map((v) => v.value)).toEqual([password, next]);
  });

  it('when the vault refuses the bot, then the password stays sealed here for Reveal and the ready card says why', async () => {
    bot.tenant.simulator?.setKeyVaultRole(SIMULATED_BOT_APP_ID, undefined);
    try {
      const before = made;
      const request = await readyRequest();
      const password = PASSWORDS[before % PASSWORDS.length];
      const card = readyCardFor(request);
      expect(card).toContain('I could not put the password in Key Vault');
      expect(card).toContain(ACCOUNT_VERBS.reveal);
      expect(card).not.toContain(password);
      expect(await bot.passwords.state(TEST_TENANT_ID, request.id)).toMatchObject({ kind: 'held' });
      expect(await invoke(ACCOUNT_VERBS.reveal, request, ALEX)).toContain(password);
    } finally {
      bot.tenant.simulator?.setKeyVaultRole(SIMULATED_BOT_APP_ID, 'Key Vault Secrets Officer');
    }
  });
});
