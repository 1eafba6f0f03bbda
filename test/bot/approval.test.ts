/**
 * The approval card through the running bot (in process, over HTTP, fake Teams connector): delivery
 * to the approver, Approve / Reject / Cancel / refresh as real `adaptiveCard/action` invokes, who may
 * press what, exactly-once decisions, expiry, and delivery failures with their fallbacks.
 */
import { REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { JOB_KINDS, jobId } from '../../src/jobs/jobKinds';
import { APPROVERS_GROUP_ID } from '../../src/simulator';
import {
  ADELE,
  ALEX,
  ISAIAH,
  MEGAN,
  NESTOR,
  PATTI,
  type TeamsUser,
  TEST_TENANT_ID,
} from '../support/activities';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { startTestBot, type TestBot, type TestBotOptions } from '../support/botHarness';
import type { ConnectorCall, FakeConnector } from '../support/fakeConnector';
import { pendingRequest } from '../support/requests';

const CHANNEL = '19:approvals@thread.tacv2';

function text(value: unknown): string {
  return JSON.stringify(value);
}

/** The actions a card offers, by verb. */
function verbsOf(card: unknown): string[] {
  return [...text(card).matchAll(/"verb":"([^"]+)"/g)]
    .map((m) => m[1])
    .filter((v, i, all) => all.indexOf(v) === i);
}

function attachmentOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

describe('the approval card', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let counter = 0;

  async function start(options: TestBotOptions): Promise<void> {
    running = await startTestBot(options);
    ({ bot, connector } = running);
  }

  // Alex has talked to the bot (his chat is known); Megan has too.
  beforeAll(() => start({ known: [ALEX, MEGAN] }));
  afterAll(async () => {
    await running?.close();
  });

  /** A request from Alex for `approver`, delivered by its job as in real use. */
  async function submitted(
    approver: TeamsUser = MEGAN,
    options: { expiresInMs?: number; requester?: TeamsUser; reminderMs?: number } = {},
  ): Promise<ServiceAccountRequest> {
    counter += 1;
    return pendingRequest(bot, {
      username: `svc-approval-${counter}`,
      approver,
      requester: options.requester,
      expiresInMs: options.expiresInMs,
      reminderMs: options.reminderMs,
      details: { contact: { city: 'Redmond' } },
    });
  }

  async function stateOf(request: ServiceAccountRequest) {
    return (await bot.requests.get(TEST_TENANT_ID, request.id))?.state;
  }

  it('when an admin asks for help, then the card says the app has the permissions it needs; a non-admin is not told', async () => {
    const nestorBefore = connector.calls.length;
    await running.say('help', NESTOR);
    const forNestor = connector.calls
      .slice(nestorBefore)
      .map((c) => text(c.body))
      .join('');
    expect(forNestor).toContain('Service Account Bot');
    expect(forNestor).not.toContain('Readiness');
    const alexBefore = connector.calls.length;
    await running.say('help', ALEX);
    expect(
      connector.calls
        .slice(alexBefore)
        .map((c) => text(c.body))
        .join(''),
    ).toContain('Readiness: All 8 application permissions are granted.');
  });

  it('when a request is submitted, then the approver gets the card with Approve and Reject, the requester a copy with Cancel, and it is audited as delivered', async () => {
    const before = connector.calls.length;
    const request = await submitted();
    const sent = connector.calls.slice(before).filter((c) => c.method === 'POST');
    const megansCard = sent.find(
      (c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}` && attachmentOf(c),
    );
    const alexsCard = sent.find(
      (c) => c.conversationId === `a:personal-${ALEX.aadObjectId}` && attachmentOf(c),
    );
    expect(verbsOf(attachmentOf(megansCard as ConnectorCall))).toEqual(
      expect.arrayContaining([REQUEST_VERBS.approve, REQUEST_VERBS.reject]),
    );
    expect(verbsOf(attachmentOf(alexsCard as ConnectorCall))).toContain(REQUEST_VERBS.cancel);
    expect(verbsOf(attachmentOf(alexsCard as ConnectorCall))).not.toContain(REQUEST_VERBS.approve);
    for (const card of [
      attachmentOf(megansCard as ConnectorCall),
      attachmentOf(alexsCard as ConnectorCall),
    ]) {
      expect(validateAdaptiveCard(card as Record<string, unknown>)).toEqual([]);
      expect(text(card)).toContain('"userIds":["29:megan","29:alex"]');
      expect(text(card)).not.toMatch(/password":/i);
    }
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events).toEqual(['submitted', 'delivered']);
  });

  it('when the refresh arrives from each viewer, then the approver, the requester and a third admin each get their own view', async () => {
    const request = await submitted();
    const forMegan = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, MEGAN, {
      trigger: 'automatic',
    });
    const forAlex = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ALEX, {
      trigger: 'automatic',
    });
    const forAdele = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ADELE);
    expect(verbsOf(forMegan.value)).toEqual(
      expect.arrayContaining([REQUEST_VERBS.approve, REQUEST_VERBS.reject]),
    );
    expect(verbsOf(forAlex.value)).toEqual([
      REQUEST_VERBS.refresh,
      REQUEST_VERBS.changeApprover,
      REQUEST_VERBS.cancel,
    ]);
    expect(verbsOf(forAdele.value)).toEqual([REQUEST_VERBS.refresh]);
    expect(text(forAdele.value)).toContain('Waiting for approval by Megan Bowen');
    expect(text(forAdele.value)).not.toContain('Redmond');
    expect(await stateOf(request)).toBe('PendingApproval');
  });

  it('when the approver approves, then one decision is stored, the provisioning job exists, the answer shows the outcome and the requester’s copy is updated', async () => {
    const request = await submitted();
    const before = connector.calls.length;
    const answer = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(answer.statusCode).toBe(200);
    expect(text(answer.value)).toContain('Approved by Megan Bowen');
    expect(verbsOf(answer.value)).not.toContain(REQUEST_VERBS.approve);
    const stored = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect(stored?.decision).toMatchObject({ outcome: 'approved', by: { aadObjectId: MEGAN.aadObjectId } });
    const jobs = await bot.jobs.listForRequest(TEST_TENANT_ID, request.id);
    expect(jobs.filter((j) => j.kind === JOB_KINDS.provision)).toHaveLength(1);
    await bot.idle();
    const updates = connector.calls.slice(before).filter((c) => c.method === 'PUT');
    const alexsUpdate = updates.find((c) => c.conversationId === `a:personal-${ALEX.aadObjectId}`);
    expect(text(attachmentOf(alexsUpdate as ConnectorCall))).toContain('Approved by Megan Bowen');
    const audit = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.find((r) => r.event === 'approved')).toMatchObject({
      actor: { aadObjectId: MEGAN.aadObjectId, name: 'Megan Bowen' },
      outcome: 'Provisioning',
    });
  });

  it('when the approver lost their admin role after the request went in, then the approval is recorded but nothing is created', async () => {
    const request = await submitted();
    const directory = bot.tenant.directory;
    const held = await directory.listRoleAssignments({ principalId: MEGAN.aadObjectId });
    for (const assignment of held) await directory.deleteRoleAssignment(assignment.id);
    const writesBefore = bot.tenant.simulator?.mutatingCalls().length ?? 0;
    try {
      const answer = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
      expect(text(answer.value)).toContain('Approved by Megan Bowen');
      await bot.idle();
      expect(await stateOf(request)).toBe('Failed');
      const writes = (bot.tenant.simulator?.mutatingCalls() ?? []).slice(writesBefore);
      expect(writes.filter((c) => c.path.includes('/users') && c.method === 'POST')).toEqual([]);
      const failed = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).at(-1);
      expect(failed).toMatchObject({ event: 'failed' });
      expect(failed?.detail).toContain(
        'Megan Bowen is no longer a Global Administrator or Privileged Role Administrator',
      );
    } finally {
      for (const assignment of held)
        await directory.createRoleAssignment(MEGAN.aadObjectId, assignment.roleDefinitionId);
    }
  });

  it('when a Reject comment and a display name hold markdown and a right-to-left override, then the requester sees them as typed, with no live link', async () => {
    counter += 1;
    const request = await pendingRequest(bot, {
      username: `svc-approval-${counter}`,
      approver: MEGAN,
      details: { displayName: '[click](https://evil.example)', contact: { city: 'Redmond' } },
    });
    const comment = '\u202E**bold** _x_ [a](https://b)';
    const rejected = await running.invoke(REQUEST_VERBS.reject, { requestId: request.id, comment }, MEGAN);
    expect(rejected.statusCode).toBe(200);
    expect(await stateOf(request)).toBe('Rejected');

    const forAlex = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ALEX);
    for (const card of [rejected.value, forAlex.value]) {
      const shown = JSON.stringify(card);
      expect(shown).toContain(JSON.stringify('\\*\\*bold\\*\\* \\_x\\_ \\[a\\](https://b)').slice(1, -1));
      expect(shown).toContain(JSON.stringify('\\[click\\](https://evil.example)').slice(1, -1));
      expect(shown).not.toContain('[a](https://b)');
      expect(shown).not.toContain('[click](https://evil.example)');
      expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u);
      expect(validateAdaptiveCard(card as Record<string, unknown>)).toEqual([]);
    }
  });

  it('when Reject comes without a comment, then the card comes back with the field error; with one, it is rejected and the comment shown', async () => {
    const request = await submitted();
    const bare = await running.invoke(REQUEST_VERBS.reject, { requestId: request.id, comment: '   ' }, MEGAN);
    expect(bare.statusCode).toBe(200);
    expect(text(bare.value)).toContain('Say why you reject it');
    expect(verbsOf(bare.value)).toContain(REQUEST_VERBS.reject);
    expect(await stateOf(request)).toBe('PendingApproval');

    const rejected = await running.invoke(
      REQUEST_VERBS.reject,
      { requestId: request.id, comment: 'Use the existing account.' },
      MEGAN,
    );
    expect(text(rejected.value)).toContain('Rejected by Megan Bowen');
    expect(text(rejected.value)).toContain('Use the existing account.');
    expect(await stateOf(request)).toBe('Rejected');
    expect((await bot.jobs.listForRequest(TEST_TENANT_ID, request.id)).map((j) => j.kind)).not.toContain(
      JOB_KINDS.provision,
    );

    // Approve on the stale card after the rejection: nothing changes, the card shows the final state.
    const late = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(late.value)).toContain('Nothing changed: Megan Bowen already rejected this request.');
    expect(await stateOf(request)).toBe('Rejected');
  });

  it('when the requester presses Approve on their own request, even with forged card data naming the approver, then it is refused and nothing changes', async () => {
    const request = await submitted();
    const forged = await running.invoke(
      REQUEST_VERBS.approve,
      { requestId: request.id, actor: MEGAN.aadObjectId, from: MEGAN, aadObjectId: MEGAN.aadObjectId },
      ALEX,
    );
    expect(text(forged.value)).toContain('you cannot approve or reject it');
    const third = await running.invoke(
      REQUEST_VERBS.approve,
      { requestId: request.id, approver: ADELE.aadObjectId },
      ADELE,
    );
    expect(text(third.value)).toContain('Only Megan Bowen can decide this request.');
    const stored = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect([stored?.state, stored?.version]).toEqual(['PendingApproval', 1]);
    // Nothing but the two refusals is recorded: by whom, and what they tried.
    const trail = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(trail.map((r) => [r.event, r.actor.aadObjectId])).toEqual([
      ['submitted', ALEX.aadObjectId],
      ['delivered', 'system'],
      ['press refused', ALEX.aadObjectId],
      ['press refused', ADELE.aadObjectId],
    ]);
    expect(trail[2].detail).toContain('approve on the request of Alex Wilber');
  });

  it('when 10 identical approve invokes arrive at once, then exactly one transition, one provisioning job and one approval record, and nine "already decided" answers', async () => {
    const request = await submitted();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN),
      ),
    );
    const already = answers.filter((a) => text(a.value).includes('already approved'));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(already).toHaveLength(9);
    const stored = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect(stored?.version).toBe(2);
    expect(
      (await bot.jobs.listForRequest(TEST_TENANT_ID, request.id)).filter(
        (j) => j.kind === JOB_KINDS.provision,
      ),
    ).toHaveLength(1);
    const approvals = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).filter(
      (r) => r.event === 'approved',
    );
    expect(approvals).toHaveLength(1);
  });

  it('when the requester cancels, then approving afterwards is refused and the card shows it was cancelled', async () => {
    const request = await submitted();
    await running.invoke(REQUEST_VERBS.cancel, { requestId: request.id }, ALEX);
    const late = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(late.value)).toContain('Cancelled by Alex Wilber');
    expect(text(late.value)).toContain('Nothing changed');
    expect(await stateOf(request)).toBe('Cancelled');
  });

  it('when a request expires, then its timer job expires it, both admins are told, and a late approval is refused', async () => {
    const before = connector.calls.length;
    const request = await submitted(MEGAN, { expiresInMs: 400 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    bot.runner.poke();
    await bot.idle();
    expect(await stateOf(request)).toBe('Expired');
    const told = connector.calls.slice(before).map((c) => String(c.body.text ?? ''));
    expect(told.some((t) => t.startsWith('Your request for') && t.includes('expired'))).toBe(true);
    expect(told.some((t) => t.includes('expired before a decision'))).toBe(true);
    const late = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(late.value)).toContain('expired');
    expect(await stateOf(request)).toBe('Expired');
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events.filter((e) => e === 'expired')).toHaveLength(1);
  });

  it('when the reminder time comes and the request still waits, then the approver is reminded once; a decided request is not', async () => {
    const before = connector.calls.length;
    const waiting = await submitted(MEGAN, { expiresInMs: 2_000, reminderMs: 1_500 });
    const decided = await submitted(MEGAN, { expiresInMs: 2_000, reminderMs: 1_500 });
    await running.invoke(REQUEST_VERBS.reject, { requestId: decided.id, comment: 'No.' }, MEGAN);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await bot.idle();
    const reminders = connector.calls
      .slice(before)
      .filter((c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}`)
      .map((c) => String(c.body.text ?? ''))
      .filter((t) => t.startsWith('Reminder:'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain(waiting.details.username);
    expect((await bot.audit.forRequest(TEST_TENANT_ID, waiting.id)).map((r) => r.event)).toContain(
      'reminded',
    );
    expect((await bot.audit.forRequest(TEST_TENANT_ID, decided.id)).map((r) => r.event)).not.toContain(
      'reminded',
    );
  });

  it('when a late press finds the request expired before its timer ran, then the timer still tells both admins once', async () => {
    const request = await submitted(MEGAN, { expiresInMs: 300 });
    const timer = jobId(JOB_KINDS.expireRequest, TEST_TENANT_ID, request.id);
    // Hold the timer back, so the press is the first to see the request is past its time.
    expect(await bot.jobs.requeue(timer, Date.now() + 60_000, Date.now())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(late.value)).toContain('expired');
    expect(await stateOf(request)).toBe('Expired');
    const before = connector.calls.length;
    expect(await bot.jobs.requeue(timer, Date.now(), Date.now())).toBe(true);
    await bot.idle();
    // Only this request's notes: an earlier test's short-lived request may expire meanwhile.
    const account = `${request.details.username}@`;
    const told = connector.calls
      .slice(before)
      .map((c) => String(c.body.text ?? ''))
      .filter((t) => t.includes(account));
    expect(told.filter((t) => t.startsWith('Your request for') && t.includes('expired'))).toHaveLength(1);
    expect(told.filter((t) => t.includes('expired before a decision'))).toHaveLength(1);
    expect(
      connector.calls.slice(before).some((c) => c.method === 'PUT' && text(c.body).includes(request.id)),
    ).toBe(true);
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events.filter((e) => e === 'expired')).toHaveLength(1);
  });

  it('when the approver never talked to the bot but has the app, then a chat is opened with them by object id', async () => {
    const before = connector.created.length;
    const request = await submitted(PATTI);
    expect(connector.created.slice(before)).toEqual([
      expect.objectContaining({ memberId: PATTI.aadObjectId, tenantId: TEST_TENANT_ID }),
    ]);
    const opened = connector.created[before].conversationId;
    expect(
      connector.calls.some(
        (c) => c.conversationId === opened && verbsOf(attachmentOf(c)).includes(REQUEST_VERBS.approve),
      ),
    ).toBe(true);
    // Patti decides in that new chat.
    const answer = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, PATTI);
    expect(text(answer.value)).toContain('Approved by Patti Fernandez');
  });

  it('when the approver does not have the app and no channel is set, then the requester is told how to fix it and can send it again', async () => {
    connector.notInstalled.add(ISAIAH.aadObjectId);
    const before = connector.calls.length;
    const request = await submitted(ISAIAH);
    expect(await stateOf(request)).toBe('PendingApproval');
    const toAlex = connector.calls
      .slice(before)
      .filter((c) => c.conversationId === `a:personal-${ALEX.aadObjectId}`);
    expect(toAlex.map((c) => String(c.body.text ?? '')).join('\n')).toContain(
      'I could not deliver your request to Isaiah Langer: they do not have the app in Teams.',
    );
    const alexCopy = toAlex
      .filter((c) => String(text(attachmentOf(c))).includes(request.id))
      .at(-1) as ConnectorCall;
    expect(verbsOf(attachmentOf(alexCopy))).toContain(REQUEST_VERBS.resend);
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events).toEqual(['submitted', 'delivery failed']);

    // Isaiah installs the app; Alex sends it again.
    connector.notInstalled.delete(ISAIAH.aadObjectId);
    const resent = await running.invoke(REQUEST_VERBS.resend, { requestId: request.id }, ALEX);
    expect(text(resent.value)).toContain('Sending it to Isaiah Langer again');
    await bot.idle();
    expect((await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event)).toEqual([
      'submitted',
      'delivery failed',
      'delivered',
    ]);
    // Only the requester may send it again.
    const byOther = await running.invoke(REQUEST_VERBS.resend, { requestId: request.id }, MEGAN);
    expect(byOther.value).toBe('Only the admin who asked for this request can send it again.');
  });

  it('when the approver’s stored chat answers 403 or 404, then delivery falls back to opening a chat, and a forbidden one is reported', async () => {
    for (const status of [403, 404]) {
      connector.failConversation(`a:personal-${MEGAN.aadObjectId}`, status);
      connector.notInstalled.add(MEGAN.aadObjectId);
      const request = await submitted(MEGAN);
      const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
      expect(events).toEqual(['submitted', 'delivery failed']);
      const failure = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).at(-1)?.detail;
      expect(failure).toContain(`HTTP ${status}`);
      connector.notInstalled.delete(MEGAN.aadObjectId);
      connector.failConversation(`a:personal-${MEGAN.aadObjectId}`, 0);
    }
  });

  it('when a request whose delivery failed is approved after all, then Alex’s card no longer shows the delivery problem', async () => {
    connector.failConversation(`a:personal-${MEGAN.aadObjectId}`, 403);
    connector.notInstalled.add(MEGAN.aadObjectId);
    const request = await submitted(MEGAN);
    connector.notInstalled.delete(MEGAN.aadObjectId);
    connector.failConversation(`a:personal-${MEGAN.aadObjectId}`, 0);
    const alexCopies = () =>
      connector.calls.filter(
        (c) =>
          c.conversationId === `a:personal-${ALEX.aadObjectId}` &&
          c.body.attachments !== undefined &&
          text(attachmentOf(c)).includes(request.id) &&
          text(attachmentOf(c)).includes('Service account request'),
      );
    expect(text(attachmentOf(alexCopies().at(-1) as ConnectorCall))).toContain('I could not deliver');

    const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(approved.value)).toContain('Approved by Megan Bowen');
    await bot.idle();
    const last = text(attachmentOf(alexCopies().at(-1) as ConnectorCall));
    expect(last).toContain('Approved');
    expect(last).not.toContain('could not deliver');
    // The status names Exchange as admins know it, not a state's label run into lower case.
    expect(last).toMatch(
      /Approved by Megan Bowen — (being set up|waiting for Exchange to replicate the role)/,
    );
  });

  it('when a job id is scheduled twice for a request, then there is still one delivery job', async () => {
    const request = await submitted();
    await bot.services.scheduler.approvalWork(request, new Date());
    const deliveries = (await bot.jobs.listForRequest(TEST_TENANT_ID, request.id)).filter(
      (j) => j.id === jobId(JOB_KINDS.deliverApproval, TEST_TENANT_ID, request.id),
    );
    expect(deliveries).toHaveLength(1);
  });

  describe('with an approvals channel and an approver group', () => {
    beforeAll(async () => {
      await running.close();
      await start({
        settings: { APPROVALS_CHANNEL_ID: CHANNEL, APPROVER_GROUP_ID: APPROVERS_GROUP_ID },
        known: [ALEX],
      });
    });

    it('when the approver cannot be reached, then the card goes to the channel, where a group member (not the requester) may decide', async () => {
      connector.notInstalled.add(ISAIAH.aadObjectId);
      const before = connector.calls.length;
      const request = await submitted(ISAIAH);
      const inChannel = connector.calls.slice(before).find((c) => c.conversationId === CHANNEL);
      expect(verbsOf(attachmentOf(inChannel as ConnectorCall))).toContain(REQUEST_VERBS.refresh);
      expect((await bot.audit.forRequest(TEST_TENANT_ID, request.id)).at(-1)).toMatchObject({
        event: 'delivered',
        detail: expect.stringContaining('approvals channel'),
      });
      // Alex is in the approver group too, but he asked: refused.
      const self = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, ALEX, {
        channelId: CHANNEL,
      });
      expect(text(self.value)).toContain('you cannot approve or reject it');
      // Megan is not in the group: refused. Adele is: her review shows the buttons, and she approves.
      const megan = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN, {
        channelId: CHANNEL,
      });
      expect(text(megan.value)).toContain('Only Isaiah Langer can decide this request.');
      const review = await running.invoke(REQUEST_VERBS.refresh, { requestId: request.id }, ADELE, {
        channelId: CHANNEL,
      });
      expect(verbsOf(review.value)).toContain(REQUEST_VERBS.approve);
      // Outside the channel, group membership counts for nothing.
      const elsewhere = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, ADELE);
      expect(text(elsewhere.value)).toContain('Only Isaiah Langer can decide this request.');
      const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, ADELE, {
        channelId: CHANNEL,
      });
      expect(text(approved.value)).toContain('Approved by Adele Vance');
      connector.notInstalled.delete(ISAIAH.aadObjectId);
    });

    it('when the approver does not answer the reminder, then halfway to the expiry the card is also offered in the channel, once, and the requester is told', async () => {
      const request = await submitted(MEGAN, { expiresInMs: 6_000, reminderMs: 4_000 });
      const before = connector.calls.length;
      // The reminder at 2 s; the offer halfway from there to the expiry, at about 4 s.
      const events = async () => (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
      const deadline = Date.now() + 5_500;
      while (!(await events()).includes('escalated') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await bot.idle();
      const calls = connector.calls.slice(before);
      const inChannel = calls.filter((c) => c.conversationId === CHANNEL && c.method === 'POST');
      expect(inChannel).toHaveLength(1);
      expect(JSON.stringify(inChannel[0].body)).toContain(request.id);
      const toAlex = calls
        .filter((c) => c.conversationId === `a:personal-${ALEX.aadObjectId}`)
        .map((c) => String(c.body.text ?? ''));
      expect(toAlex).toContain(
        `Megan Bowen has not decided on your request for ${request.details.username}@contoso.com yet, so I also offered it to the approver group in the approvals channel. Any of them except you may approve it until ${request.expiresAt.slice(0, 16).replace('T', ' ')} UTC.`,
      );
      expect((await events()).filter((e) => e === 'reminded' || e === 'escalated')).toEqual([
        'reminded',
        'escalated',
      ]);
      // Adele, in the group, approves in the channel; Megan's card is then closed like any decided one.
      const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, ADELE, {
        channelId: CHANNEL,
      });
      expect(text(approved.value)).toContain('Approved by Adele Vance');
    });

    it('when the approver decides after the reminder, before the offer is due, then nothing is posted in the channel', async () => {
      const request = await submitted(MEGAN, { expiresInMs: 6_000, reminderMs: 4_000 });
      const before = connector.calls.length;
      const events = async () => (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
      const remind = jobId(JOB_KINDS.remindApprover, TEST_TENANT_ID, request.id);
      const until = async (done: () => Promise<boolean>) => {
        const deadline = Date.now() + 5_500;
        while (!(await done()) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
      };
      await until(async () => (await events()).includes('reminded'));
      const rejected = await running.invoke(
        REQUEST_VERBS.reject,
        { requestId: request.id, comment: 'Not now.' },
        MEGAN,
      );
      expect(text(rejected.value)).toContain('Rejected by Megan Bowen');
      // The reminder's job comes back halfway to the expiry, finds the request decided, and ends.
      await until(async () => (await bot.jobs.get(remind))?.state === 'done');
      await bot.idle();
      expect((await bot.jobs.get(remind))?.state).toBe('done');
      expect(
        connector.calls
          .slice(before)
          .some(
            (c) =>
              c.conversationId === CHANNEL &&
              c.method === 'POST' &&
              JSON.stringify(c.body).includes(request.id),
          ),
      ).toBe(false);
      expect(await events()).not.toContain('escalated');
    });
  });
});
