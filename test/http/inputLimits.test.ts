/** Garbage at the HTTP door: a clear 4xx, the bot stays up, nothing reaches Teams. */
import { teamsMessage } from '../support/activities';
import { TEST_TENANT_ID } from '../support/activities';
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

  /** A Teams help message as a web form would post it (`qs` nesting, which restify's urlencoded parser read). */
  const formBody = () =>
    new URLSearchParams({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      text: 'help',
      'from[id]': '29:alex',
      'conversation[id]': 'a:1',
      'conversation[conversationType]': 'personal',
      'channelData[tenant][id]': TEST_TENANT_ID,
    }).toString();

  it.each([
    ['application/x-www-form-urlencoded', () => formBody()],
    ['text/plain', () => JSON.stringify(teamsMessage(connector.serviceUrl, 'help'))],
    [
      'multipart/form-data; boundary=x',
      () => '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nmessage\r\n--x--',
    ],
    ['application/vnd.api+json', () => JSON.stringify(teamsMessage(connector.serviceUrl, 'help'))],
  ])(
    'when the body is sent as %s, then the answer is 415 with a JSON error and nothing is processed',
    async (type, body) => {
      const response = await post(body(), type);
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/JSON/) });
      expect(connector.calls).toEqual([]);
    },
  );

  it('when the body has no content type, then the answer is 415 and nothing is processed', async () => {
    const response = await fetch(url, {
      method: 'POST',
      body: new Blob([JSON.stringify(teamsMessage(connector.serviceUrl, 'help'))]),
    });
    expect(response.status).toBe(415);
    expect(connector.calls).toEqual([]);
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8'])(
    'when the content type is %s, then the body is read as JSON',
    async (type) => {
      const response = await post('{}', type);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/missing or has an invalid/) });
    },
  );
});
