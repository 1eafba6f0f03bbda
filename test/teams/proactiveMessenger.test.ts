/** Proactive sends and updates through the real CloudAdapter, against the fake Teams connector. */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
} from 'botbuilder';
import { ProactiveMessenger } from '../../src/teams/proactiveMessenger';
import type { Clock } from '../../src/domain/ports';
import { ALEX, personalReference, TEST_TENANT_ID } from '../support/activities';
import { type FakeConnector, startFakeConnector } from '../support/fakeConnector';

describe('proactive messages', () => {
  let connector: FakeConnector;
  let messenger: ProactiveMessenger;
  let reference: Partial<ConversationReference>;
  const sleeps: number[] = [];
  const clock: Clock = { now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };

  beforeAll(async () => {
    connector = await startFakeConnector();
    const adapter = new CloudAdapter(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MicrosoftAppType: '',
        MicrosoftAppTenantId: '',
      }),
    );
    // As in the bot: an adapter with a turn error handler, which must not swallow a failed send.
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (_context, error) => void turnErrors.push(error);
    messenger = new ProactiveMessenger({ adapter, botAppId: '', clock, baseDelayMs: 10 });
    reference = personalReference(connector.serviceUrl);
  });
  afterAll(async () => connector?.close());
  beforeEach(() => {
    connector.calls.length = 0;
    sleeps.length = 0;
  });

  it('when a message is sent into a stored conversation, then Teams receives it and its id comes back', async () => {
    const result = await messenger.send(reference, { type: 'message', text: 'Your request was approved.' });
    expect(result).toMatchObject({ ok: true, conversationId: `a:personal-${ALEX.aadObjectId}` });
    expect(result.ok && result.activityId).toMatch(/^activity-\d+$/);
    expect(connector.calls).toHaveLength(1);
    expect(connector.calls[0]).toMatchObject({
      method: 'POST',
      body: { text: 'Your request was approved.' },
    });
  });

  it('when an earlier message is updated, then Teams receives a PUT for that activity', async () => {
    const result = await messenger.update(reference, 'activity-7', {
      type: 'message',
      text: 'Approved by Megan Bowen.',
    });
    expect(result).toMatchObject({ ok: true, activityId: 'activity-7' });
    expect(connector.calls[0]).toMatchObject({
      method: 'PUT',
      activityId: 'activity-7',
      body: { text: 'Approved by Megan Bowen.' },
    });
  });

  it.each([403, 404])(
    'when Teams answers %i, then the failure is permanent and not retried',
    async (status) => {
      connector.failNext(1, status);
      const result = await messenger.send(reference, { type: 'message', text: 'x' });
      expect(result).toEqual({
        ok: false,
        permanent: true,
        status,
        code: expect.anything() as unknown as string,
      });
      expect(connector.calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
    },
  );

  it('when the bot has never been in the user’s chat, then a new chat is opened by object id and the message sent there', async () => {
    const result = await messenger.createPersonal(
      { serviceUrl: connector.serviceUrl, tenantId: TEST_TENANT_ID, aadObjectId: ALEX.aadObjectId },
      { type: 'message', text: 'A request waits for you.' },
    );
    expect(result).toMatchObject({ ok: true, conversationId: 'a:created-1' });
    expect(connector.created).toEqual([
      { conversationId: 'a:created-1', memberId: ALEX.aadObjectId, tenantId: TEST_TENANT_ID },
    ]);
    expect(connector.calls[0]).toMatchObject({
      conversationId: 'a:created-1',
      body: { text: 'A request waits for you.' },
    });
  });

  it('when the user does not have the app, then opening a chat fails as permanent (403) and nothing is sent', async () => {
    connector.notInstalled.add(ALEX.aadObjectId);
    const result = await messenger.createPersonal(
      { serviceUrl: connector.serviceUrl, tenantId: TEST_TENANT_ID, aadObjectId: ALEX.aadObjectId },
      { type: 'message', text: 'x' },
    );
    connector.notInstalled.delete(ALEX.aadObjectId);
    expect(result).toMatchObject({ ok: false, permanent: true, status: 403 });
    expect(connector.calls).toHaveLength(0);
  });

  it('when Teams is throttling for a while, then the send is retried with back-off and finally delivered', async () => {
    connector.failNext(3, 429);
    const result = await messenger.send(reference, { type: 'message', text: 'later' });
    expect(result.ok).toBe(true);
    expect(connector.calls.filter((c) => c.body.text === 'later')).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it('when Teams keeps failing, then the failure is reported as passing, after bounded attempts', async () => {
    connector.failNext(1000, 429);
    const result = await messenger.send(reference, { type: 'message', text: 'never' });
    connector.failNext(0, 429);
    expect(result).toMatchObject({ ok: false, permanent: false, status: 429 });
    expect(connector.calls).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });
});
