/**
 * Whose name is recorded and shown for a press or a form: the directory's display name for the
 * activity's object id, never the `from.name` the Teams client sent. Through the running bot (in
 * process, over HTTP, fake Teams connector, simulated tenant). A slow directory does not hold the
 * press: the name Teams gave is used once, marked as unchecked, and the next press has the
 * directory's.
 */
import { FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { UNCHECKED_NAME_NOTE } from '../../src/domain/directoryNames';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { ALEX, MEGAN, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot, type Where } from '../support/botHarness';
import type { ConnectorCall } from '../support/fakeConnector';
import { pendingRequest } from '../support/requests';

const FORGED = 'Mallory Forged';
/** Megan's and Alex's object ids, with somebody else's name on the activity. */
const MEGAN_FORGED: TeamsUser = { ...MEGAN, name: FORGED };
const ALEX_FORGED: TeamsUser = { ...ALEX, name: FORGED };

function text(value: unknown): string {
  return JSON.stringify(value);
}

function cardOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

let counter = 0;

async function submitted(running: TestBot): Promise<ServiceAccountRequest> {
  counter += 1;
  return pendingRequest(running.bot, { username: `svc-names-${counter}`, approver: MEGAN });
}

describe('the name of whoever acts', () => {
  let running: TestBot;

  beforeAll(async () => {
    running = await startTestBot({ settings: { APPROVAL_REMINDER_HOURS: '0' }, known: [ALEX, MEGAN] });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when the approver presses Approve with another name on the activity, then the card, the stored decision and the audit say the directory’s name', async () => {
    const request = await submitted(running);
    const before = running.connector.calls.length;
    const answer = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN_FORGED);
    expect(answer.statusCode).toBe(200);
    expect(text(answer.value)).toContain('Approved by Megan Bowen');
    expect(text(answer.value)).not.toContain(FORGED);
    const stored = await running.bot.requests.get(TEST_TENANT_ID, request.id);
    expect(stored?.decision?.by).toEqual({ aadObjectId: MEGAN.aadObjectId, name: 'Megan Bowen' });
    await running.bot.idle();
    const audit = await running.bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.find((r) => r.event === 'approved')?.actor).toEqual({
      aadObjectId: MEGAN.aadObjectId,
      name: 'Megan Bowen',
    });
    expect(text(audit)).not.toContain(FORGED);
    // The requester's copy, redrawn off the answer's path, says the same.
    const copies = running.connector.calls.slice(before).filter((c) => c.method === 'PUT');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(text(cardOf(copy))).not.toContain(FORGED);
  });

  it('when the requester fills in and submits the form with another name on the activity, then the request, its audit and the approver’s card name the requester as the directory does', async () => {
    counter += 1;
    const username = `svc-names-form-${counter}`;
    const mark = running.connector.calls.length;
    const chat = `a:personal-${ALEX.aadObjectId}`;
    const where: Where = { conversationId: chat };
    /** The newest form card at `step` posted in Alex's chat since `mark`. */
    const formAt = (step: string): string => {
      const call = running.connector.calls
        .slice(mark)
        .reverse()
        .find(
          (c) =>
            c.method === 'POST' &&
            c.conversationId === chat &&
            ((cardOf(c) as { body?: { text?: string }[] } | undefined)?.body?.[0]?.text ?? '').endsWith(step),
        );
      const id = text(call === undefined ? undefined : cardOf(call)).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
      if (id === undefined) throw new Error(`no "${step}" card was posted`);
      return id;
    };
    const press = async (data: Record<string, unknown>): Promise<InvokeAnswer> => {
      const answer = await running.invoke(FORM_VERBS.next, data, ALEX_FORGED, where);
      expect(answer.statusCode).toBe(200);
      return answer;
    };
    await running.say('new service account', ALEX_FORGED, where);
    await press({ formId: formAt('Checks') });
    await press({ formId: formAt('Account'), displayName: 'Names Service', username, domain: 'contoso.com' });
    await press({ formId: formAt('Contact information') });
    await press({ formId: formAt('Sync'), publicFolders: 'false' });
    await press({ formId: formAt('Approver'), approverId: MEGAN.aadObjectId });
    const submittedAnswer = await running.invoke(
      FORM_VERBS.submit,
      { formId: formAt('Review') },
      ALEX_FORGED,
      where,
    );
    expect(submittedAnswer.statusCode).toBe(200);
    await running.bot.idle();

    const requests = await running.bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
    const request = requests.find((r) => r.details.username === username);
    expect(request?.requester).toEqual({ aadObjectId: ALEX.aadObjectId, name: 'Alex Wilber' });
    const audit = await running.bot.audit.forRequest(TEST_TENANT_ID, request!.id);
    expect(audit.length).toBeGreaterThan(0);
    expect(text(audit)).not.toContain(FORGED);
    expect(audit.filter((r) => r.actor.aadObjectId === ALEX.aadObjectId).map((r) => r.actor.name)).toContain(
      'Alex Wilber',
    );
    const megansCard = running.connector.calls
      .slice(mark)
      .find(
        (c) =>
          c.conversationId === `a:personal-${MEGAN.aadObjectId}` && text(cardOf(c)).includes(request!.id),
      );
    expect(megansCard).toBeDefined();
    expect(text(cardOf(megansCard!))).toContain('Alex Wilber');
    expect(text(cardOf(megansCard!))).not.toContain(FORGED);
  });
});

describe('the name of whoever acts, while the directory is slow', () => {
  /** How long Graph holds the name lookup: well past what a press may take. */
  const HOLD_MS = 5_000;
  let running: TestBot;

  // Megan has not talked to the bot: her name is not known yet.
  beforeAll(async () => {
    running = await startTestBot({ settings: { APPROVAL_REMINDER_HOURS: '0' }, known: [ALEX] });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when Graph holds the name lookup, then the press is answered promptly with the name from Teams marked as unchecked, and a later press has the directory’s name', async () => {
    const first = await submitted(running);
    const second = await submitted(running);
    const simulator = running.bot.tenant.simulator!;
    const hold = simulator.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: new RegExp(`/users/${MEGAN.aadObjectId}$`, 'i'),
      times: 1,
      delayMs: HOLD_MS,
    });
    const started = Date.now();
    const answer = await running.invoke(REQUEST_VERBS.approve, { requestId: first.id }, MEGAN_FORGED);
    const tookMs = Date.now() - started;
    expect(answer.statusCode).toBe(200);
    expect(tookMs).toBeLessThan(3_000);
    // The lookup was asked (and is held), and the press did not wait for it.
    expect(hold.remaining()).toBe(0);
    expect(text(answer.value)).toContain(`Approved by ${FORGED} (${UNCHECKED_NAME_NOTE})`);
    const audit = await running.bot.audit.forRequest(TEST_TENANT_ID, first.id);
    expect(audit.find((r) => r.event === 'approved')?.actor).toEqual({
      aadObjectId: MEGAN.aadObjectId,
      name: `${FORGED} (${UNCHECKED_NAME_NOTE})`,
    });

    // The held lookup finishes in the background and fills the cache.
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS - tookMs + 300));
    const later = await running.invoke(REQUEST_VERBS.approve, { requestId: second.id }, MEGAN_FORGED);
    expect(text(later.value)).toContain('Approved by Megan Bowen');
    expect(text(later.value)).not.toContain(FORGED);
  }, 30_000);
});
