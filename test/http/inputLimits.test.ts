/** Garbage at the HTTP door: a clear 4xx, the bot stays up, nothing reaches Teams. */
import { teamsMessage } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';

describe('input limits on /api/messages', () => {
  let running: TestBot;
  let connector: FakeConnector;
  let url: string;

  // Nobody has talked to the bot: anything the connector receives came from the garbage.
  beforeAll(async () => {
    running = await startTestBot({ known: [] });
    connector = running.connector;
    url = `${running.url}/api/messages`;
  });
  afterAll(async () => {
    await running?.close();
  });

  const post = (body: string, type = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

  it('when the body is larger than 256 KB, then the answer is 413 and nothing is processed', async () => {
    const activity = teamsMessage(connector.serviceUrl, 'help');
    activity.text = 'x'.repeat(300 * 1024);
    const response = await post(JSON.stringify(activity));
    expect(response.status).toBe(413);
    expect(connector.calls).toEqual([]);
  });

  it.each([
    ['not JSON', '{"type": "message", '],
    ['a JSON array', '[1, 2, 3]'],
    ['an empty object', '{}'],
    [
      'an activity without a conversation',
      JSON.stringify({
        type: 'message',
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        text: 'help',
      }),
    ],
    [
      'an activity with a non-URL service URL',
      JSON.stringify({
        type: 'message',
        channelId: 'msteams',
        serviceUrl: 'javascript:alert(1)',
        conversation: { id: 'a:1' },
      }),
    ],
    [
      'an activity whose type is a number',
      JSON.stringify({
        type: 7,
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        conversation: { id: 'a:1' },
      }),
    ],
  ])('when the body is %s, then the answer is a 4xx and the bot stays up', async (_name, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect((await fetch(url.replace('/api/messages', '/healthz'))).status).toBe(200);
    expect(connector.calls).toEqual([]);
  });
});
