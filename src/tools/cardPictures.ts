/**
 * Draws every card template with each of its samples (cards/samples.ts) to `<card>-<n>.png`. Each
 * sample is expanded by `renderCard` and drawn by the real Adaptive Cards renderer (`adaptivecards`,
 * its browser bundle) with the Microsoft Teams light host config, in a 500 px container like a Teams
 * chat column, in headless Chromium driven by `puppeteer-core`. Nothing is fetched: the page is built
 * from a string and the renderer, its stylesheet and the host config come from node_modules; any
 * request the page still makes is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type * as AdaptiveCardsApi from 'adaptivecards';
import { type AdaptiveCardJson, type CardName, renderCard } from '../../cards/renderCard';
import { CARD_SAMPLES } from '../../cards/samples';
import { devDependencyFile } from './devDependencies';
import { RenderCardsError } from './renderCardsError';
import { loadTeamsLightHostConfig } from './teamsHostConfig';

const CARD_WIDTH_PX = 500;

const BROWSER_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A light page like a Teams chat, with the renderer's stylesheet; the card sits in #card, bordered so
 * it stands out on white. The renderer's stylesheet draws buttons blue; the `.ac-pushButton` rules
 * after it give them Teams' look (white with a grey border, `positive` filled in the Teams accent).
 */
const pageHtml = (rendererCss: string): string => `<!doctype html>
<html><head><meta charset="utf-8"><style>${rendererCss}</style><style>
  body { margin: 0; padding: 16px; background: #f5f5f5; }
  #card { width: ${CARD_WIDTH_PX}px; background: #ffffff; border: 1px solid #e1dfdd; border-radius: 4px; overflow: hidden; }
  .ac-pushButton, .ac-pushButton:hover { border: 1px solid #e1dfdd; border-radius: 4px; background: #ffffff; color: #252424; padding: 5px 16px; }
  .ac-pushButton.style-positive, .ac-pushButton.style-positive:hover { border-color: #6264a7; background: #6264a7; color: #ffffff; }
</style></head><body><div id="card"></div></body></html>`;

export interface RenderCardsOptions {
  /** Chrome or Chromium executable. */
  browser: string;
  /** Folder the pictures are written to. */
  outDir: string;
}

/** What the page function uses of the page's globals: the renderer's UMD global and a bit of DOM. */
interface PageGlobals {
  AdaptiveCards: typeof AdaptiveCardsApi;
  document: {
    getElementById(id: string): { replaceChildren(...nodes: unknown[]): void } | null;
    fonts: { ready: Promise<unknown> };
  };
}

/** Draws one card into #card and returns the renderer's parse and validation messages. */
async function drawCard(page: Page, card: AdaptiveCardJson, hostConfig: object): Promise<string[]> {
  return page.evaluate(
    async (cardJson: object, hostConfigJson: object) => {
      const { AdaptiveCards: ac, document } = globalThis as unknown as PageGlobals;
      const adaptiveCard = new ac.AdaptiveCard();
      adaptiveCard.hostConfig = new ac.HostConfig(hostConfigJson);
      adaptiveCard.onExecuteAction = () => undefined;
      const context = new ac.SerializationContext();
      adaptiveCard.parse(cardJson, context);
      const messages: string[] = [];
      for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
      for (const event of adaptiveCard.validateProperties().validationEvents) messages.push(event.message);
      const element = adaptiveCard.render();
      if (element === undefined) throw new Error('the renderer returned no element');
      const target = document.getElementById('card');
      if (target === null) throw new Error('the page has no #card');
      target.replaceChildren(element);
      await document.fonts.ready;
      return messages;
    },
    card,
    hostConfig,
  );
}

async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: CARD_WIDTH_PX + 64, height: 600, deviceScaleFactor: 1 });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url === 'about:blank') void request.continue();
    else {
      process.stderr.write(`renderCards: refused a request for ${url}\n`);
      void request.abort();
    }
  });
  const rendererCss = devDependencyFile('adaptivecards/dist/adaptivecards.css');
  await page.setContent(pageHtml(fs.readFileSync(rendererCss, 'utf8')));
  await page.addScriptTag({ path: devDependencyFile('adaptivecards/dist/adaptivecards.min.js') });
  return page;
}

/** Draws every sample of every card; returns the files written. */
export async function renderAllCards(
  options: RenderCardsOptions,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<string[]> {
  if (!fs.existsSync(options.browser)) {
    throw new RenderCardsError(
      `no Chromium at ${options.browser}. Install it with \`apt-get install chromium\` (Debian, Ubuntu), ` +
        'or pass another Chrome or Chromium with `npm run cards:render -- --browser <path>`.',
    );
  }
  const hostConfig = loadTeamsLightHostConfig();
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-cards-'));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: options.browser,
      headless: true,
      pipe: true,
      args: [...BROWSER_FLAGS, `--user-data-dir=${profileDir}`],
    });
    const page = await openPage(browser);
    fs.mkdirSync(options.outDir, { recursive: true });
    const written: string[] = [];
    for (const name of Object.keys(CARD_SAMPLES) as CardName[]) {
      const samples: readonly unknown[] = CARD_SAMPLES[name];
      for (let index = 0; index < samples.length; index++) {
        const file = path.join(options.outDir, `${name}-${index + 1}.png`);
        const card = renderCard(name, samples[index] as never);
        const messages = await drawCard(page, card, hostConfig).catch((error: unknown) => {
          throw new RenderCardsError(`${name} sample ${index + 1}: ${(error as Error).message}`);
        });
        const element = await page.$('#card');
        if (element === null) throw new RenderCardsError('the page lost its #card element');
        await element.screenshot({ path: file as `${string}.png` });
        written.push(file);
        log(path.relative(process.cwd(), file));
        for (const message of messages) log(`  renderer: ${message}`);
      }
    }
    for (const file of stalePictures(options.outDir, written)) {
      fs.rmSync(file);
      log(`${path.relative(process.cwd(), file)} (removed: no such sample any more)`);
    }
    return written;
  } finally {
    await browser?.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
}

/** Pictures named like ours (`<card>-<n>.png`) in `outDir` that this run did not write. */
function stalePictures(outDir: string, written: readonly string[]): string[] {
  return fs
    .readdirSync(outDir)
    .filter((f) => /^[A-Za-z][A-Za-z0-9]*-\d+\.png$/.test(f))
    .map((f) => path.join(outDir, f))
    .filter((f) => !written.includes(f));
}
