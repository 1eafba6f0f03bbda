/** `GET /readyz` on a bot started in process: its real storage, job store and job runner. */
import { startTestBot, type TestBot } from '../support/botHarness';

describe('readiness of a started bot', () => {
  let running: TestBot;

  beforeAll(async () => {
    running = await startTestBot({ known: [] });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when storage, jobs and the runner are up, then /readyz answers 200 ready with every check ok', async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    });
  });

  it('when its job runner has stopped, then /readyz answers 503 naming the runner, and /healthz still 200', async () => {
    await running.bot.runner.stop(0);
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'failed' },
      reasons: { runner: 'The job runner is stopped.' },
    });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});
