/**
 * Card presses whose value is not what Teams sends: each is answered 400 with an error body, logged
 * as one warning line without a stack, and no turn fails.
 */
import { ALEX, postActivity, teamsCardAction } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';

describe('malformed adaptiveCard/action invokes', () => {
  let running: TestBot;
  const logs: { line: string; level: string }[] = [];

  beforeAll(async () => {
    running = await startTestBot({
      settings: { LOG_LEVEL: 'info' },
      hooks: { logSink: (line, level) => logs.push({ line, level }) },
    });
  });
  afterAll(async () => {
    await running?.close();
  });

  const action = { type: 'Action.Execute', verb: 'form.next' };
  it.each([
    ['without value.action', { trigger: 'manual' }],
    ['with value a string', 'form.next'],
    ['with value a number', 7],
    ['with value an array', [action]],
    ['with value null', null],
    ['with value.action a string', { action: 'form.next' }],
    ['with value.action.verb a number', { action: { ...action, verb: 42 } }],
    ['with value.action.data a string', { action: { ...action, data: 'formId=1' } }],
  ])('when a card press arrives %s, then it is answered 400 and logged in one line', async (_name, value) => {
    const activity = teamsCardAction(running.connector.serviceUrl, 'form.next', {}, { from: ALEX });
    activity.value = value;
    const from = logs.length;
    const response = await postActivity(running.url, activity);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: 'This card action could not be read.' },
    });
    const lines = logs.slice(from).filter((l) => l.level === 'warn' || l.level === 'error');
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('warn');
    expect(lines[0].line).toMatch(/Malformed card action/);
    expect(lines[0].line).not.toMatch(/Turn failed|\n\s+at |TypeError/);
    expect(lines[0].line).not.toContain('formId=1');
  });
});
