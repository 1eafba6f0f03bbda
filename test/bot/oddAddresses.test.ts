/**
 * Addresses with the characters Entra allows in a user principal name that are special in a URL or an
 * OData string (' # ^ ~ !), through the running bot (in process, over HTTP, fake Teams connector, the
 * built-in simulator): typed as the approver on the form, as the new approver, as a new owner, and as
 * the service account's own user name. Each person is found and reached; none is "not found".
 */
import { ACCOUNT_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { ROLE } from '../../src/domain/wellKnown';
import type { RunningBot } from '../../src/index';
import type { TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, TEST_TENANT_ID, type TeamsUser } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';

/** Global Administrators whose addresses hold one odd character each (legal in a UPN's local part). */
const PEOPLE = {
  oconnor: { upn: "o'connor@contoso.com", name: "Siobhan O'Connor" },
  hash: { upn: 'a#b@contoso.com', name: 'Hash Admin' },
  caret: { upn: 'x^y@contoso.com', name: 'Caret Admin' },
  tilde: { upn: 't~z@contoso.com', name: 'Tilde Admin' },
  bang: { upn: 'bang!@contoso.com', name: 'Bang Admin' },
} as const;
type Person = keyof typeof PEOPLE;

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

describe('addresses with apostrophes, #, ^, ~ and ! through the running bot', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let simulator: TenantSimulator;
  const ids = new Map<Person, string>();
  const teamsUser = (who: Person): TeamsUser => ({
    id: `29:${who}`,
    name: PEOPLE[who].name,
    aadObjectId: ids.get(who) as string,
  });

  beforeAll(async () => {
    running = await startTestBot();
    ({ bot, connector } = running);
    simulator = bot.tenant.simulator as TenantSimulator;
    for (const [who, person] of Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][]) {
      const user = await bot.services.directory.createUser({
        displayName: person.name,
        // The alias is the address's part before the @, as Microsoft 365 makes it.
        mailNickname: person.upn.split('@')[0],
        userPrincipalName: person.upn,
        password: 'Odd!Addr3ss#Passw0rd',
        employeeType: 'Employee',
        contact: {},
      });
      ids.set(who, user.id);
      simulator.change.addDirectoryRole(user.id, ROLE.globalAdministrator);
    }
  });
  afterAll(async () => {
    await running?.close();
  });

  /** The newest form card the bot posted: its id and step title. */
  function formCard(): { formId: string; step: string } {
    const call = [...connector.calls].reverse().find((c) => text(c.body).includes('"formId"'));
    return {
      formId: text(call?.body).match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string,
      step: text(call?.body).match(/"text":"(Step \d of \d · [^"]+)"/)?.[1] as string,
    };
  }

  async function next(inputs: Record<string, unknown>): Promise<InvokeAnswer> {
    const { formId } = formCard();
    return running.invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next, ...inputs }, ALEX);
  }

  /** The approval card the bot posted to `who` in a chat it opened with them. */
  function cardDeliveredTo(who: Person, requestId: string): boolean {
    const chats = connector.created.filter((c) => c.memberId.endsWith(ids.get(who) as string));
    return connector.calls.some(
      (c) =>
        chats.some((chat) => chat.conversationId === c.conversationId) &&
        text(c.body.attachments).includes(requestId) &&
        text(c.body.attachments).includes(REQUEST_VERBS.approve),
    );
  }

  it.each(['oconnor', 'hash'] as const)(
    'when the approver typed on the form is %s’s address, then they are found and their approval card reaches them',
    async (who) => {
      await running.say('new service account', ALEX);
      await next({});
      await next({ displayName: 'Odd Approver', username: `svc-odd-${who}`, domain: 'contoso.com' });
      await next({ city: 'Redmond' });
      await next({ publicFolders: 'false', skuId: '', usageLocation: 'US' });
      expect(formCard().step).toBe('Step 5 of 6 · Approver');
      const answer = await next({ approverId: '', approverUpn: PEOPLE[who].upn });
      expect(text(answer.value)).not.toContain('could not find');
      expect(formCard().step).toBe('Step 6 of 6 · Review');
      expect(text(formCard())).toBeDefined();
      await running.invoke(FORM_VERBS.submit, { formId: formCard().formId, verb: FORM_VERBS.submit }, ALEX);
      await bot.idle();
      const request = (await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId)).find(
        (r) => r.details.username === `svc-odd-${who}`,
      );
      expect([request?.approver.aadObjectId, request?.approver.userPrincipalName]).toEqual([
        ids.get(who),
        PEOPLE[who].upn,
      ]);
      expect(cardDeliveredTo(who, request!.id)).toBe(true);
    },
  );

  it.each(['oconnor', 'hash', 'caret', 'tilde', 'bang'] as const)(
    'when only %s’s user name is typed as the approver, then they are found by their alias',
    async (who) => {
      await running.say('new service account', ALEX);
      await next({});
      await next({ displayName: 'Odd Alias', username: `svc-alias-${who}`, domain: 'contoso.com' });
      await next({ city: 'Redmond' });
      await next({ publicFolders: 'false', skuId: '', usageLocation: 'US' });
      const alias = PEOPLE[who].upn.split('@')[0];
      const answer = await next({ approverId: '', approverUpn: alias });
      expect(text(answer.value)).not.toContain('could not find');
      expect(formCard().step).toBe('Step 6 of 6 · Review');
      const review = [...connector.calls]
        .reverse()
        .find((c) => text(c.body).includes('Step 6 of 6 · Review'));
      expect(text(review?.body)).toContain(PEOPLE[who].name);
      await running.invoke(FORM_VERBS.cancel, { formId: formCard().formId, verb: FORM_VERBS.cancel }, ALEX);
    },
  );

  it('when the new approver typed is x^y’s address, then the request goes to them', async () => {
    const request = await pendingRequest(bot, { username: 'svc-odd-change' });
    const answer = await running.invoke(
      REQUEST_VERBS.changeApproverConfirmed,
      { requestId: request.id, newApprover: PEOPLE.caret.upn },
      ALEX,
    );
    expect(text(answer.value)).toContain('Caret Admin is the approver now');
    await bot.idle();
    expect((await bot.requests.get(TEST_TENANT_ID, request.id))?.approver.aadObjectId).toBe(ids.get('caret'));
    expect(cardDeliveredTo('caret', request.id)).toBe(true);
  });

  it('when the service account’s own user name holds every odd character, then it is set up and its owners can add t~z and bang! by address', async () => {
    const username = "o'svc#^~!";
    const request = await pendingRequest(bot, { username });
    await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    await untilState(bot, request.id, 'Ready', 60_000);
    await bot.idle();
    expect(simulator.state().users.some((u) => u.userPrincipalName === `${username}@contoso.com`)).toBe(true);
    for (const who of ['tilde', 'bang'] as const) {
      const added = await running.invoke(
        ACCOUNT_VERBS.ownerAdd,
        { requestId: request.id, newOwner: PEOPLE[who].upn },
        ALEX,
      );
      expect(text(added.value)).toContain(`${PEOPLE[who].name} now looks after this account too.`);
    }
    const owners = (await bot.requests.get(TEST_TENANT_ID, request.id))?.owners?.map((o) => o.aadObjectId);
    expect(owners).toEqual(expect.arrayContaining([ids.get('tilde'), ids.get('bang')]));
    // The owners' buttons act on the account by its object id: disabling it reaches Entra.
    await running.invoke(ACCOUNT_VERBS.disableConfirmed, { requestId: request.id }, teamsUser('tilde'));
    expect(
      simulator.state().users.find((u) => u.userPrincipalName === `${username}@contoso.com`)?.accountEnabled,
    ).toBe(false);
  }, 90_000);
});
