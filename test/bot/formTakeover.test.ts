/**
 * The group-chat takeover, as an attacker would try it over the Bot Framework protocol: Alex (Global
 * Administrator) starts a request in a group chat; Patti (no admin role), a member of that chat,
 * presses the buttons of Alex's form — her own `from` on every press — to become the requester of a
 * new Global Administrator and then reveal its password. Every press is a real `adaptiveCard/action`
 * invoke through the running bot; the attacker is assumed to know every form id (the worst case).
 */
import { ACCOUNT_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { ALEX, ISAIAH, MEGAN, NESTOR, PATTI, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot, type Where } from '../support/botHarness';
import type { ConnectorCall, FakeConnector } from '../support/fakeConnector';
import { untilState } from '../support/requests';

const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;
const PATTI_CHAT = `a:personal-${PATTI.aadObjectId}`;

function cardOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

function stepOf(call: ConnectorCall): string {
  const card = cardOf(call) as { body?: { text?: string }[] } | undefined;
  return card?.body?.[0]?.text ?? '';
}

function formIdOf(call: ConnectorCall): string {
  const id = JSON.stringify(cardOf(call)).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
  if (id === undefined) throw new Error('no formId in card');
  return id;
}

describe('a non-admin pressing through an admin’s form in a group chat', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let counter = 0;
  /** Each test has its own group chat of Alex, Megan and Patti. */
  let groupChat = '';

  let running: TestBot;

  beforeAll(async () => {
    // All three have a personal chat with the bot.
    running = await startTestBot({ settings: { APPROVAL_REMINDER_HOURS: '0' }, known: [ALEX, MEGAN, PATTI] });
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  async function invoke(
    verb: string,
    data: Record<string, unknown>,
    from: TeamsUser,
    where: Where,
  ): Promise<InvokeAnswer> {
    const answer = await running.invoke(verb, data, from, where);
    expect(answer.statusCode).toBe(200);
    return answer;
  }

  /** The chat a card was posted in, as a press from there names it. */
  function whereOf(call: ConnectorCall): Where {
    return call.conversationId === groupChat
      ? { groupChatId: groupChat }
      : { conversationId: call.conversationId };
  }

  /** Alex picks Megan on the approver card; the review card that follows. */
  async function alexPicksMegan(approver: { formId: string; where: Where }) {
    const at = connector.calls.length;
    await invoke(
      FORM_VERBS.next,
      { formId: approver.formId, approverId: MEGAN.aadObjectId },
      ALEX,
      approver.where,
    );
    return formAt('Review', at);
  }

  /** The newest form card at `step` the bot posted anywhere since `mark`, and the chat it is in. */
  function formAt(step: string, mark: number): { formId: string; where: Where } {
    const call = connector.calls
      .slice(mark)
      .reverse()
      .find((c) => c.method === 'POST' && stepOf(c).endsWith(step));
    if (call === undefined) throw new Error(`no "${step}" card was posted`);
    return { formId: formIdOf(call), where: whereOf(call) };
  }

  /** Alex types `new service account` in the group chat and fills in the cards wherever they are shown. */
  async function alexFillsIn(
    username: string,
    untilStep: 'Approver' | 'Review',
  ): Promise<{ formId: string; where: Where }> {
    const mark = connector.calls.length;
    await running.say('new service account', ALEX, { groupChatId: groupChat });
    const checks = formAt('Checks', mark);
    // The form itself is in Alex's personal chat; the group chat is only told so.
    expect(checks.where).toEqual({ conversationId: ALEX_CHAT });
    const toGroup = connector.calls.slice(mark).filter((c) => c.conversationId === groupChat);
    expect(toGroup.map((c) => c.body.text)).toEqual([
      'Let’s do this in our personal chat, where only you can see it: I have started your request there.',
    ]);
    await invoke(FORM_VERBS.next, { formId: checks.formId }, ALEX, checks.where);
    const account = formAt('Account', mark);
    await invoke(
      FORM_VERBS.next,
      { formId: account.formId, displayName: 'Group Chat Service', username, domain: 'contoso.com' },
      ALEX,
      account.where,
    );
    const contact = formAt('Contact information', mark);
    await invoke(FORM_VERBS.next, { formId: contact.formId }, ALEX, contact.where);
    const sync = formAt('Sync', mark);
    await invoke(FORM_VERBS.next, { formId: sync.formId, publicFolders: 'false' }, ALEX, sync.where);
    const approver = formAt('Approver', mark);
    return untilStep === 'Approver' ? approver : alexPicksMegan(approver);
  }

  async function allRequests(): Promise<ServiceAccountRequest[]> {
    const lists = await Promise.all(
      [ALEX, MEGAN, PATTI].map((p) => bot.requests.listByRequester(TEST_TENANT_ID, p.aadObjectId)),
    );
    return lists.flat();
  }

  /** What Patti's press came to, whichever way the bot answered it. */
  function said(answer: InvokeAnswer): string {
    return JSON.stringify(answer.value);
  }

  it('when Patti picks Alex as approver and submits his form, then she is refused, no request is stored and nothing is created; Alex still finishes his own', async () => {
    counter += 1;
    groupChat = `19:group-${counter}@thread.v2`;
    const username = `gc${counter}-svc`;
    const approverForm = await alexFillsIn(username, 'Approver');
    const writesBefore = bot.tenant.simulator!.mutatingCalls().length;
    const mark = connector.calls.length;

    // Patti presses the approver step, in the group chat and in the chat where the card is.
    for (const where of [{ groupChatId: groupChat }, approverForm.where]) {
      const answer = await invoke(
        FORM_VERBS.next,
        { formId: approverForm.formId, approverId: ALEX.aadObjectId },
        PATTI,
        where,
      );
      expect(answer.type).toBe('application/vnd.microsoft.activity.message');
      expect(said(answer)).toContain('This form belongs to Alex Wilber: only they can fill it in.');
    }
    // If a review card had appeared for her, she would press Submit on it.
    const review = connector.calls
      .slice(mark)
      .find((c) => c.method === 'POST' && stepOf(c).endsWith('Review'));
    if (review !== undefined) {
      await invoke(FORM_VERBS.submit, { formId: formIdOf(review) }, PATTI, whereOf(review));
    }
    expect(review).toBeUndefined();
    expect(await allRequests()).toEqual([]);
    expect(bot.tenant.simulator!.mutatingCalls()).toHaveLength(writesBefore);
    expect(await bot.tenant.directory.findUser(`${username}@contoso.com`)).toBeUndefined();
    const refusals = (await bot.audit.recent(TEST_TENANT_ID, 20)).filter(
      (r) => r.event === 'press refused' && r.actor.aadObjectId === PATTI.aadObjectId,
    );
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals[0].detail).toContain('Alex Wilber');

    // Alex's own form is untouched: he picks Megan and submits; the request is his.
    const review2 = await alexPicksMegan(approverForm);
    const submitted = await invoke(FORM_VERBS.submit, { formId: review2.formId }, ALEX, review2.where);
    expect(submitted.statusCode).toBe(200);
    const requests = await allRequests();
    expect(
      requests.map((r) => [r.requester.aadObjectId, r.approver.aadObjectId, r.details.username]),
    ).toEqual([[ALEX.aadObjectId, MEGAN.aadObjectId, username]]);

    // Megan approves; the account is created and becomes ready. Patti's Reveal gets no password.
    const request = requests[0];
    await bot.idle();
    const megansCard = connector.calls.find(
      (c) =>
        JSON.stringify(c.body).includes(REQUEST_VERBS.approve) && JSON.stringify(c.body).includes(request.id),
    );
    expect(megansCard).toBeDefined();
    await invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN, {
      conversationId: megansCard!.conversationId,
    });
    await untilState(bot, request.id, 'Ready', 60_000);
    for (const where of [
      { groupChatId: groupChat },
      { conversationId: PATTI_CHAT },
      { conversationId: ALEX_CHAT },
    ]) {
      const reveal = await invoke(ACCOUNT_VERBS.reveal, { requestId: request.id }, PATTI, where);
      expect(said(reveal)).not.toMatch(/"title":"Password"/);
    }
    const byAlex = await invoke(ACCOUNT_VERBS.reveal, { requestId: request.id }, ALEX, {
      conversationId: ALEX_CHAT,
    });
    expect(said(byAlex)).toMatch(/"title":"Password","value":"[^"]{24}"/);
  });

  it('when Patti presses only Submit on Alex’s finished form, then she is refused and no request is stored; Alex’s own Submit goes through', async () => {
    counter += 1;
    groupChat = `19:group-${counter}@thread.v2`;
    const username = `gc${counter}-svc`;
    const review = await alexFillsIn(username, 'Review');
    const before = (await allRequests()).length;
    const writesBefore = bot.tenant.simulator!.mutatingCalls().length;

    for (const where of [{ groupChatId: groupChat }, review.where]) {
      const answer = await invoke(FORM_VERBS.submit, { formId: review.formId }, PATTI, where);
      expect(said(answer)).toContain('This form belongs to Alex Wilber: only they can fill it in.');
      expect(said(answer)).not.toContain('waiting for approval');
    }
    expect(await allRequests()).toHaveLength(before);
    expect(await bot.requests.listByRequester(TEST_TENANT_ID, PATTI.aadObjectId)).toEqual([]);
    expect(bot.tenant.simulator!.mutatingCalls()).toHaveLength(writesBefore);

    await invoke(FORM_VERBS.submit, { formId: review.formId }, ALEX, review.where);
    const mine = await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(mine[0]).toMatchObject({
      state: 'PendingApproval',
      requester: { aadObjectId: ALEX.aadObjectId },
      details: { username },
    });
  });

  it('when Alex loses his admin role while his form is open, then Submit is refused, nothing is stored, and the card says it was not sent', async () => {
    counter += 1;
    groupChat = `19:group-${counter}@thread.v2`;
    const username = `gc${counter}-svc`;
    const review = await alexFillsIn(username, 'Review');
    const directory = bot.tenant.directory;
    const held = await directory.listRoleAssignments({ principalId: ALEX.aadObjectId });
    for (const assignment of held) await directory.deleteRoleAssignment(assignment.id);
    try {
      const at = connector.calls.length;
      const answer = await invoke(FORM_VERBS.submit, { formId: review.formId }, ALEX, review.where);
      expect(said(answer)).toContain('Not sent');
      const told = connector.calls.slice(at).map((c) => String(c.body.text ?? ''));
      expect(
        told.some((t) =>
          /^Only a Global Administrator or Privileged Role Administrator .* Nothing was sent for approval\.$/.test(
            t,
          ),
        ),
      ).toBe(true);
      const mine = await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
      expect(mine.some((r) => r.details.username === username)).toBe(false);
    } finally {
      for (const assignment of held)
        await directory.createRoleAssignment(ALEX.aadObjectId, assignment.roleDefinitionId);
    }
  });

  it('when a non-admin who never chatted with the bot types `new service account` in a group chat, then the bot opens their personal chat and refuses there; the group only hears where to look', async () => {
    const mark = connector.calls.length;
    const created = connector.created.length;
    await running.say('new service account', ISAIAH, { groupChatId: '19:isaiah-asks@thread.v2' });
    const sent = connector.calls.slice(mark);
    expect(
      sent.filter((c) => c.conversationId === '19:isaiah-asks@thread.v2').map((c) => c.body.text),
    ).toEqual(['Let’s do this in our personal chat, where only you can see it: I have answered you there.']);
    const opened = connector.created.slice(created);
    expect(opened.map((c) => c.memberId)).toEqual([ISAIAH.aadObjectId]);
    const inTheirChat = sent
      .filter((c) => c.conversationId === opened[0].conversationId)
      .map((c) => String(c.body.text ?? ''));
    expect(inTheirChat).toHaveLength(1);
    expect(inTheirChat[0]).toMatch(
      /^Only a Global Administrator or Privileged Role Administrator of this tenant/,
    );
    expect(sent.some((c) => JSON.stringify(c.body).includes('"formId"'))).toBe(false);
  });

  it('when someone who never chatted with the bot and cannot be reached types a command in a channel, then the channel gets instructions and nothing else is sent', async () => {
    connector.notInstalled.add(NESTOR.aadObjectId);
    const mark = connector.calls.length;
    await running.say('status', NESTOR, { channelId: '19:general@thread.tacv2' });
    const sent = connector.calls.slice(mark);
    expect(sent.map((c) => [c.conversationId.split(';')[0], c.body.text])).toEqual([
      [
        '19:general@thread.tacv2',
        'Let’s do this in our personal chat, where only you can see it. Open Service Account Bot in Teams: Apps → Built for your org → Service Account Bot and type `status` there.',
      ],
    ]);
  });

  it('when `help` is typed in a group chat by an admin, then the command card comes there, without the admin-only readiness line', async () => {
    const mark = connector.calls.length;
    await running.say('help', ALEX, { groupChatId: '19:help@thread.v2' });
    const sent = connector.calls.slice(mark);
    expect(sent).toHaveLength(1);
    expect(sent[0].conversationId).toBe('19:help@thread.v2');
    expect(JSON.stringify(sent[0].body)).toContain('new service account');
    expect(JSON.stringify(sent[0].body)).not.toContain('Readiness');
    // In his personal chat, the same command shows it.
    const personal = connector.calls.length;
    await running.say('help', ALEX);
    expect(JSON.stringify(connector.calls.slice(personal)[0].body)).toContain('Readiness');
  });
});
