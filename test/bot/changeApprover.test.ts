/**
 * Change the approver through the running bot (in process, over HTTP, fake Teams connector): the
 * button only on the requester's copy in their personal chat, refused for anyone else and anywhere
 * else, the form and its plain-language errors, and after a change the former approver's card with
 * nothing to press, the new approver's card delivered, the former approver's stale Approve refused
 * and the new approver's accepted.
 */
import { REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { ADELE, ALEX, MEGAN, PATTI, TEST_TENANT_ID } from '../support/activities';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { ConnectorCall, FakeConnector } from '../support/fakeConnector';
import { pendingRequest } from '../support/requests';

const CHANNEL = '19:approvals@thread.tacv2';
const GROUP_CHAT = '19:alex-megan-adele@thread.v2';
const chatOf = (user: { aadObjectId: string }) => `a:personal-${user.aadObjectId}`;

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

/** The actions a card offers, by verb (its refresh included). */
function verbsOf(card: unknown): string[] {
  return [...text(card).matchAll(/"verb":"([^"]+)"/g)]
    .map((m) => m[1])
    .filter((v, i, all) => all.indexOf(v) === i);
}

/** The buttons a person could press: every verb but the card's own refresh. */
function buttonsOf(card: unknown): string[] {
  return verbsOf(card).filter((v) => v !== REQUEST_VERBS.refresh);
}

function attachmentOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

describe('changing the approver', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let counter = 0;

  beforeAll(async () => {
    running = await startTestBot({
      settings: { APPROVALS_CHANNEL_ID: CHANNEL },
      known: [ALEX, MEGAN, ADELE],
    });
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  /** A request from Alex for Megan, delivered by its job as in real use. */
  async function submitted(): Promise<ServiceAccountRequest> {
    counter += 1;
    return pendingRequest(bot, { username: `svc-change-${counter}` });
  }

  const stored = async (request: ServiceAccountRequest) => bot.requests.get(TEST_TENANT_ID, request.id);
  const events = async (request: ServiceAccountRequest) =>
    (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);

  /** The cards posted or redrawn in a chat for this request, oldest first, from `since` on. */
  function cardsIn(conversationId: string, request: ServiceAccountRequest, since = 0): ConnectorCall[] {
    return connector.calls
      .slice(since)
      .filter(
        (c) =>
          c.conversationId === conversationId &&
          attachmentOf(c) !== undefined &&
          text(attachmentOf(c)).includes(request.id),
      );
  }

  it('when a request is delivered, then only the requester’s copy in his chat has Change the approver', async () => {
    const before = connector.calls.length;
    const request = await submitted();
    const alexs = cardsIn(chatOf(ALEX), request, before).at(-1) as ConnectorCall;
    const megans = cardsIn(chatOf(MEGAN), request, before).at(-1) as ConnectorCall;
    expect(verbsOf(attachmentOf(alexs))).toContain(REQUEST_VERBS.changeApprover);
    expect(verbsOf(attachmentOf(megans))).not.toContain(REQUEST_VERBS.changeApprover);
    expect(verbsOf(attachmentOf(megans))).toContain(REQUEST_VERBS.approve);
    // Refreshed for each viewer: Alex in his chat has it; in the approvals channel, and for anyone else, not.
    const mine = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ALEX);
    expect(buttonsOf(mine.value)).toEqual([REQUEST_VERBS.changeApprover, REQUEST_VERBS.cancel]);
    const inChannel = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ALEX, {
      channelId: CHANNEL,
    });
    expect(buttonsOf(inChannel.value)).toEqual([REQUEST_VERBS.cancel]);
    for (const viewer of [MEGAN, ADELE]) {
      const theirs = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, viewer);
      expect(verbsOf(theirs.value)).not.toContain(REQUEST_VERBS.changeApprover);
    }
  });

  it('when the approver, another admin, or anyone in a group chat presses it, then it is refused in plain words and nothing changes', async () => {
    const request = await submitted();
    const tries = [
      [REQUEST_VERBS.changeApprover, MEGAN, {}],
      [REQUEST_VERBS.changeApproverConfirmed, MEGAN, {}],
      [REQUEST_VERBS.changeApproverConfirmed, ADELE, {}],
      [REQUEST_VERBS.changeApprover, ADELE, { groupChatId: GROUP_CHAT }],
      [REQUEST_VERBS.changeApproverConfirmed, MEGAN, { groupChatId: GROUP_CHAT }],
    ] as const;
    for (const [verb, who, where] of tries) {
      const answer = await running.invoke(
        verb,
        { requestId: request.id, newApprover: 'adelev@contoso.com', requester: ALEX.aadObjectId, from: ALEX },
        who,
        where,
      );
      expect(answer).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'Only the admin who asked for this request can change who approves it.',
      });
    }
    // Alex himself, but in a group chat or the approvals channel: only in his personal chat.
    for (const where of [{ groupChatId: GROUP_CHAT }, { channelId: CHANNEL }]) {
      const answer = await running.invoke(
        REQUEST_VERBS.changeApproverConfirmed,
        { requestId: request.id, newApprover: 'adelev@contoso.com' },
        ALEX,
        where,
      );
      expect(answer.value).toBe(
        'You can change the approver only in our personal chat. Use the card I sent you there.',
      );
    }
    await bot.idle();
    const now = await stored(request);
    expect([now?.approver.aadObjectId, now?.version, now?.state]).toEqual([
      MEGAN.aadObjectId,
      1,
      'PendingApproval',
    ]);
    expect((await events(request)).filter((e) => e !== 'press refused')).toEqual(['submitted', 'delivered']);
  });

  it('when Alex opens the form and names someone who may not approve, then the card says why, on the field, and nothing changes', async () => {
    const request = await submitted();
    const form = await running.invoke(REQUEST_VERBS.changeApprover, { requestId: request.id }, ALEX);
    expect(validateAdaptiveCard(form.value as Record<string, unknown>)).toEqual([]);
    expect(text(form.value)).toContain('"id":"newApprover"');
    expect(text(form.value)).toContain('Who should approve this request instead of Megan Bowen?');
    expect(buttonsOf(form.value)).toEqual([REQUEST_VERBS.changeApproverConfirmed]);
    expect(verbsOf(form.value)).toContain(REQUEST_VERBS.refresh); // Back
    const cases = [
      [
        'pattif@contoso.com',
        'Patti Fernandez is not a Global Administrator or Privileged Role Administrator',
      ],
      ['alexw@contoso.com', 'You cannot approve your own request'],
      ['meganb', 'Megan Bowen is already the approver of this request.'],
      ['nobody@contoso.com', 'I could not find nobody@contoso.com in your directory.'],
    ] as const;
    for (const [typed, message] of cases) {
      const answer = await running.invoke(
        REQUEST_VERBS.changeApproverConfirmed,
        { requestId: request.id, newApprover: typed },
        ALEX,
      );
      expect(text(answer.value)).toContain(message);
      expect(text(answer.value)).toContain(`"value":"${typed}"`);
      expect(buttonsOf(answer.value)).toEqual([REQUEST_VERBS.changeApproverConfirmed]);
      expect(text(answer.value)).not.toMatch(/PendingApproval|NotFound|BadRequest/);
    }
    expect([(await stored(request))?.version, await events(request)]).toEqual([
      1,
      ['submitted', 'delivered'],
    ]);
  });

  it('when Alex changes the approver to Adele, then her card arrives, Megan’s turns inert and she is told, Alex’s shows Adele, and it is audited', async () => {
    const request = await submitted();
    const before = connector.calls.length;
    // Forged card data naming Patti as the approver is ignored: only what Alex typed counts.
    const answer = await running.invoke(
      REQUEST_VERBS.changeApproverConfirmed,
      {
        requestId: request.id,
        newApprover: 'adelev',
        approverId: PATTI.aadObjectId,
        approver: { aadObjectId: PATTI.aadObjectId, name: PATTI.name },
      },
      ALEX,
    );
    expect(text(answer.value)).toContain('Adele Vance is the approver now.');
    expect(text(answer.value)).toContain('Waiting for approval by Adele Vance');
    expect(await stored(request)).toMatchObject({
      state: 'PendingApproval',
      version: 2,
      approver: {
        aadObjectId: ADELE.aadObjectId,
        name: 'Adele Vance',
        userPrincipalName: 'adelev@contoso.com',
      },
    });
    await bot.idle();

    const adeles = cardsIn(chatOf(ADELE), request, before).filter((c) => c.method === 'POST');
    expect(adeles).toHaveLength(1);
    expect(buttonsOf(attachmentOf(adeles[0]))).toEqual([REQUEST_VERBS.approve, REQUEST_VERBS.reject]);

    const megans = cardsIn(chatOf(MEGAN), request, before);
    expect(megans.length).toBeGreaterThan(0);
    expect(megans.every((c) => c.method === 'PUT')).toBe(true);
    const megansNow = attachmentOf(megans.at(-1) as ConnectorCall);
    expect(buttonsOf(megansNow)).toEqual([]);
    expect(text(megansNow)).toContain(
      'Alex Wilber chose another approver: this request now goes to Adele Vance, so you no longer need to decide it.',
    );
    expect(text(megansNow)).not.toContain('29:megan');
    expect(validateAdaptiveCard(megansNow as Record<string, unknown>)).toEqual([]);
    const toMegan = connector.calls
      .slice(before)
      .filter((c) => c.conversationId === chatOf(MEGAN))
      .map((c) => String(c.body.text ?? ''));
    expect(toMegan).toContain(
      `Alex Wilber chose another approver for their request for ${request.details.username}@contoso.com: it now goes to Adele Vance, so you no longer need to decide it.`,
    );

    const alexsNow = attachmentOf(cardsIn(chatOf(ALEX), request, before).at(-1) as ConnectorCall);
    expect(text(alexsNow)).toContain('Waiting for approval by Adele Vance');
    expect(text(alexsNow)).toContain('Adele Vance (adelev@contoso.com)');
    expect(buttonsOf(alexsNow)).toEqual([REQUEST_VERBS.changeApprover, REQUEST_VERBS.cancel]);

    const trail = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(trail.map((r) => r.event)).toEqual(['submitted', 'delivered', 'approver changed', 'delivered']);
    expect(trail[2]).toMatchObject({
      actor: { aadObjectId: ALEX.aadObjectId },
      // The test's stored request names Megan by the sign-in name it was given (test/support/requests.ts).
      detail: 'from Megan Bowen (megan@contoso.com) to Adele Vance (adelev@contoso.com)',
    });
    expect(trail[3].detail).toBe('to adelev@contoso.com (chat)');
  });

  it('when the approver was changed, then Megan’s stale Approve is refused, Adele approves, and Megan’s card shows the outcome with nothing to press', async () => {
    const request = await submitted();
    await running.invoke(
      REQUEST_VERBS.changeApproverConfirmed,
      { requestId: request.id, newApprover: 'adelev@contoso.com' },
      ALEX,
    );
    await bot.idle();
    const stale = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(stale.value).toBe('Only Adele Vance can decide this request.');
    const staleReject = await running.invoke(
      REQUEST_VERBS.reject,
      { requestId: request.id, comment: 'No.' },
      MEGAN,
    );
    expect(staleReject.value).toBe('Only Adele Vance can decide this request.');
    expect((await stored(request))?.state).toBe('PendingApproval');

    const before = connector.calls.length;
    const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, ADELE);
    expect(text(approved.value)).toContain('Approved by Adele Vance');
    expect((await stored(request))?.decision).toMatchObject({
      outcome: 'approved',
      by: { aadObjectId: ADELE.aadObjectId },
    });
    await bot.idle();
    const megans = cardsIn(chatOf(MEGAN), request, before);
    const megansNow = attachmentOf(megans.at(-1) as ConnectorCall);
    expect(text(megansNow)).toContain('Approved by Adele Vance');
    expect(buttonsOf(megansNow)).toEqual([]);
    // Too late to change the approver now.
    const late = await running.invoke(
      REQUEST_VERBS.changeApproverConfirmed,
      { requestId: request.id, newApprover: 'meganb@contoso.com' },
      ALEX,
    );
    expect(text(late.value)).toContain('The approver can no longer be changed: it was already approved.');
    expect((await stored(request))?.approver.aadObjectId).toBe(ADELE.aadObjectId);
  });

  it('when the new approver cannot be reached anywhere, then Alex’s card says so and offers Send it again, though Megan had the card', async () => {
    const request = await submitted();
    connector.failConversation(chatOf(ADELE), 403);
    connector.notInstalled.add(ADELE.aadObjectId);
    connector.failConversation(CHANNEL, 403);
    try {
      const before = connector.calls.length;
      await running.invoke(
        REQUEST_VERBS.changeApproverConfirmed,
        { requestId: request.id, newApprover: 'adelev@contoso.com' },
        ALEX,
      );
      await bot.idle();
      expect((await events(request)).slice(-2)).toEqual(['approver changed', 'delivery failed']);
      const alexsNow = attachmentOf(cardsIn(chatOf(ALEX), request, before).at(-1) as ConnectorCall);
      expect(text(alexsNow)).toContain('I could not deliver this request to Adele Vance');
      expect(buttonsOf(alexsNow)).toContain(REQUEST_VERBS.resend);
      const toAlex = connector.calls
        .slice(before)
        .filter((c) => c.conversationId === chatOf(ALEX))
        .map((c) => String(c.body.text ?? ''));
      expect(toAlex.some((t) => t.startsWith('I could not deliver your request to Adele Vance'))).toBe(true);
    } finally {
      connector.failConversation(chatOf(ADELE), 0);
      connector.notInstalled.delete(ADELE.aadObjectId);
      connector.failConversation(CHANNEL, 0);
    }
  });
});
