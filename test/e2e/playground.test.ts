/**
 * The story as two admins click it in the Microsoft 365 Agents Playground: the built bot on the
 * simulated tenant, one Playground page signed in as Alex Wilber (asks) and one as Megan Bowen
 * (approves), both driven in Debian's headless Chromium. Screenshots of each stage go to
 * test-output/playground/.
 */
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import {
  type RunningPlayground,
  seededPerson,
  startPlaygrounds,
  stopChild,
} from '../../src/tools/playgrounds';
import { type BotProcess, REPO_ROOT, startBotProcess, tempDataDir } from '../support/botProcess';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-output', 'playground');

jest.setTimeout(150_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The text of every Adaptive Card on the page, oldest first. */
function cardTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.ac-adaptiveCard')]
      .filter((card) => card.parentElement?.closest('.ac-adaptiveCard') === null)
      .map((card) => (card as HTMLElement).innerText),
  );
}

/** Waits for the newest card showing `text`, and returns its text. */
async function cardWith(page: Page, text: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await cardTexts(page)).reverse().find((t) => t.includes(text));
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const last = (await cardTexts(page)).slice(-2).join('\n---\n');
      throw new Error(`no card showing "${text}" within ${timeoutMs} ms; the newest cards say:\n${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs `act` on the newest card showing `text` (as an element handle in the page). */
async function inCard<T>(
  page: Page,
  text: string,
  act: (card: Element, arg: string[]) => T,
  ...arg: string[]
): Promise<T> {
  await cardWith(page, text);
  return page.evaluate(
    (text, actSource, arg) => {
      const cards = [...document.querySelectorAll('.ac-adaptiveCard')].filter(
        (card) => card.parentElement?.closest('.ac-adaptiveCard') === null,
      );
      const card = cards.reverse().find((c) => (c as HTMLElement).innerText.includes(text));
      if (card === undefined) throw new Error(`no card showing "${text}"`);
      return (
        new Function('card', 'arg', `return (${actSource})(card, arg);`) as (c: Element, a: string[]) => T
      )(card, arg);
    },
    text,
    act.toString(),
    arg,
  ) as Promise<T>;
}

/** Presses the button titled `label` on the newest card showing `text`. */
async function press(page: Page, text: string, label: string): Promise<void> {
  const pressed = await inCard(
    page,
    text,
    (card, [wanted]) => {
      const button = [...card.querySelectorAll('button')].find(
        (b) => b.getAttribute('aria-label') === wanted || b.innerText.trim() === wanted,
      );
      if (button === undefined) return false;
      button.click();
      return true;
    },
    label,
  );
  if (!pressed) throw new Error(`the card showing "${text}" has no "${label}" button`);
}

/** Types `value` into the input labelled `label` on the newest card showing `text`. */
async function fill(page: Page, text: string, label: string, value: string): Promise<void> {
  const marker = `fill-${Math.random().toString(36).slice(2)}`;
  const found = await inCard(
    page,
    text,
    (card, [wanted, mark]) => {
      const labelOf = (i: Element): string =>
        (i.getAttribute('aria-labelledby') ?? '')
          .split(' ')
          .map((id) => (id === '' ? '' : (document.getElementById(id)?.innerText ?? '')))
          .join(' ')
          .trim();
      const input = [...card.querySelectorAll('input, textarea')].find((i) => labelOf(i).startsWith(wanted));
      if (input === undefined) return false;
      input.setAttribute('data-fill', mark);
      return true;
    },
    label,
    marker,
  );
  if (!found) {
    const labels = await inCard(page, text, (card) =>
      [...card.querySelectorAll('input, textarea')].map((i) => i.outerHTML.slice(0, 300)),
    );
    throw new Error(`the card showing "${text}" has no input "${label}"; it has ${labels.join('\n')}`);
  }
  const input = await page.$(`[data-fill="${marker}"]`);
  await input!.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await input!.type(value);
}

/** Types `name` into the people picker of the newest card showing `text` and picks the first match. */
async function pick(page: Page, text: string, name: string): Promise<void> {
  await page.bringToFront();
  const marker = `pick-${Math.random().toString(36).slice(2)}`;
  const found = await inCard(
    page,
    text,
    (card, [mark]) => {
      const input = card.querySelector('.ms-PeoplePicker input');
      input?.setAttribute('data-pick', mark);
      return input !== null;
    },
    marker,
  );
  if (!found) throw new Error(`the card showing "${text}" has no people picker`);
  await page.click(`[data-pick="${marker}"]`);
  await page.keyboard.type(name);
  const suggestion = await page.waitForSelector('.ms-Suggestions-itemButton', { timeout: 10_000 });
  await suggestion!.click();
}

async function say(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.click('[data-lexical-editor="true"]');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function shot(page: Page, name: string): Promise<void> {
  // A tab in the background is not painted, so its screenshot would wait.
  await page.bringToFront();
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

describe('the Agents Playground, two admins', () => {
  let bot: BotProcess | undefined;
  let playgrounds: RunningPlayground[] = [];
  let browser: Browser | undefined;
  let alex: Page;
  let megan: Page;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-chromium-'));
  const playgroundDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-playground-'));

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's Chromium ("apt-get install -y chromium") to run the browser test.`,
      );
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    bot = await startBotProcess({
      DATA_DIR: tempDataDir(),
      SIMULATOR_REPLICATION_SECONDS: '3',
      REPLICATION_SETTLE_MINUTES: '0',
      REPLICATION_POLL_SECONDS: '1',
    });
    const [alexPort, meganPort] = [await freePort(), await freePort()];
    playgrounds = await startPlaygrounds({
      endpoint: `${bot.url}/api/messages`,
      tenantId: '00000000-0000-0000-0000-0000000000001',
      users: [
        { person: seededPerson('Alex Wilber'), port: alexPort },
        { person: seededPerson('Megan Bowen'), port: meganPort },
      ],
      baseDir: playgroundDir,
    });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
      ],
    });
    const open = async (url: string): Promise<Page> => {
      const page = await browser!.newPage();
      await page.setViewport({ width: 1280, height: 1000 });
      await page.goto(url, { waitUntil: 'networkidle0', timeout: 30_000 });
      return page;
    };
    alex = await open(playgrounds[0].url);
    megan = await open(playgrounds[1].url);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(playgrounds.map((p) => stopChild(p.child)));
    await bot?.stop();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(playgroundDir, { recursive: true, force: true });
  });

  it('when each page opens, then it is signed in as its admin and shows the command card', async () => {
    await cardWith(alex, 'new service account');
    await cardWith(megan, 'new service account');
    expect(await alex.evaluate(() => document.body.innerText)).toContain('Alex Wilber');
    expect(await megan.evaluate(() => document.body.innerText)).toContain('Megan Bowen');
    await shot(alex, '01-alex-help');
  });

  it('when Alex fills in every card and picks Megan, then the request is sent to her', async () => {
    await say(alex, 'new service account');
    await cardWith(alex, 'Step 1 of 6');
    await shot(alex, '02a-alex-checks');
    await press(alex, 'Step 1 of 6', 'I understand, continue');
    await cardWith(alex, 'Step 2 of 6');
    await shot(alex, '02b-alex-account');
    await fill(alex, 'Step 2 of 6', 'Display name', 'CiraSync Service');
    await fill(alex, 'Step 2 of 6', 'Username', 'cirasync-svc');
    await press(alex, 'Step 2 of 6', 'Next');
    await cardWith(alex, 'Step 3 of 6');
    await shot(alex, '02c-alex-contact');
    await fill(alex, 'Step 3 of 6', 'Job title', 'Service account');
    await fill(alex, 'Step 3 of 6', 'Department', 'IT');
    await fill(alex, 'Step 3 of 6', 'City', 'Redmond');
    await fill(alex, 'Step 3 of 6', 'Country or region', 'United States');
    await press(alex, 'Step 3 of 6', 'Next');
    await cardWith(alex, 'Step 4 of 6');
    await shot(alex, '02d-alex-sync');
    await press(alex, 'Step 4 of 6', 'Next');
    await cardWith(alex, 'Step 5 of 6');
    await pick(alex, 'Step 5 of 6', 'Megan');
    await shot(alex, '03-alex-approver');
    await press(alex, 'Step 5 of 6', 'Next');
    const review = await cardWith(alex, 'Step 6 of 6');
    expect(review).toContain('Megan Bowen (meganb@contoso.com)');
    await shot(alex, '04-alex-review');
    await press(alex, 'Step 6 of 6', 'Submit for approval');
    await cardWith(alex, 'Service account request');
    await shot(alex, '05-alex-submitted');
  });

  it('when Megan opens her page, then the approval card is there and she approves', async () => {
    await megan.bringToFront();
    const card = await cardWith(megan, 'Service account request');
    expect(card).toContain('Alex Wilber');
    expect(card).toContain('Approve');
    await shot(megan, '06-megan-approval');
    await press(megan, 'Service account request', 'Approve');
    await shot(megan, '07-megan-approved');
  });

  it('when the account is made, then Alex watches the progress and gets the ready message', async () => {
    await alex.bringToFront();
    await cardWith(alex, 'Started', 30_000);
    await shot(alex, '08-alex-progress');
    const ready = await cardWith(alex, 'Reveal password', 60_000);
    await shot(alex, '09-alex-ready');
    expect(ready).toContain('cirasync-svc@contoso.com is ready');
    expect(ready).toContain('Downgrade role');
  });

  it('when Alex reveals the password, then his page shows it to him', async () => {
    await press(alex, 'Reveal password', 'Reveal password');
    const password = await cardWith(alex, 'Password of cirasync-svc@contoso.com');
    expect(password).toMatch(/Password\s+\S{24}/);
    expect(password).toContain('shown to you alone and not kept in this chat');
    // The card that shows it keeps its buttons.
    expect(password).toContain('Downgrade role');
    expect(password).toContain('Reset password');
    await shot(alex, '10-alex-password');
  });

  it('when Alex downgrades the role from the password card, then the account is no longer a Global Administrator', async () => {
    await press(alex, 'Password of cirasync-svc@contoso.com', 'Downgrade role');
    const downgraded = await cardWith(alex, 'is now Service Support Administrator', 30_000);
    await shot(alex, '11-alex-downgraded');
    expect(downgraded).not.toContain('Downgrade role');
  });
});
