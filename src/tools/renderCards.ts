/**
 * `npm run cards:render -- [--browser <path>] [--out <dir>]`: draws every card template with each
 * of its samples (cards/samples.ts) to `docs/cards/<card>-<n>.png`, the pictures in the README.
 *
 * Each sample is expanded by `renderCard` and drawn by the real Adaptive Cards renderer
 * (`adaptivecards`, its browser bundle) with the Microsoft Teams light host config, in a 500 px
 * container like a Teams chat column, in headless Chromium driven by `puppeteer-core`. Nothing is
 * fetched: the page is built from a string and the renderer, its stylesheet and the host config come
 * from node_modules; any request the page still makes is refused.
 *
 * The Teams host config is the one the Microsoft 365 Agents Playground (a dev dependency) renders
 * with: its web client embeds it as JSON. It is read from there because the package that ships it as
 * a file, `adaptivecards-designer`, declares a peer dependency on adaptivecards 2.x and pulls in
 * monaco-editor (86 MB).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type * as AdaptiveCardsApi from 'adaptivecards';
import { type AdaptiveCardJson, type CardName, renderCard } from '../../cards/renderCard';
import { CARD_SAMPLES } from '../../cards/samples';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_BROWSER = '/usr/bin/chromium';
const DEFAULT_OUT_DIR = path.join('docs', 'cards');
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

const USAGE =
  'Usage: npm run cards:render -- [--browser <path>] [--out <dir>]\n' +
  `Draws every card sample to <dir>/<card>-<n>.png (default ${DEFAULT_OUT_DIR}) with the Chromium at <path> (default ${DEFAULT_BROWSER}).\n`;

class RenderCardsError extends Error {
  override readonly name = 'RenderCardsError';
}

export interface RenderCardsOptions {
  /** Chrome or Chromium executable. */
  browser: string;
  /** Folder the pictures are written to. */
  outDir: string;
}

function parseArgs(argv: readonly string[]): RenderCardsOptions | 'help' {
  const options: RenderCardsOptions = { browser: DEFAULT_BROWSER, outDir: path.join(ROOT, DEFAULT_OUT_DIR) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const value = argv[i + 1];
    if ((arg !== '--browser' && arg !== '--out') || value === undefined || value.startsWith('-')) {
      throw new RenderCardsError(`unexpected argument "${arg}"\n${USAGE}`);
    }
    if (arg === '--browser') options.browser = path.resolve(value);
    else options.outDir = path.resolve(value);
    i++;
  }
  return options;
}

// --- The Teams host config ---------------------------------------------------------------------

const PLAYGROUND_PACKAGE = '@microsoft/m365agentsplayground';

/** Absolute path of a file in a dev dependency, or an error saying how to install it. */
function devDependencyFile(request: string): string {
  try {
    return require.resolve(request, { paths: [ROOT] });
  } catch {
    throw new RenderCardsError(`cannot find ${request}; run \`npm ci\` (dev dependencies included)`);
  }
}

/**
 * The Teams light host config embedded in the Agents Playground's web client, where it appears as
 * `JSON.parse('<host config>')`. Exactly one embedded object must look like a host config with the
 * Teams accent colour; anything else is an error naming the package, so that an upgrade that moves it
 * fails loudly instead of drawing with another config.
 */
export function loadTeamsLightHostConfig(): Record<string, unknown> {
  const packageJson = devDependencyFile(`${PLAYGROUND_PACKAGE}/package.json`);
  const scriptDir = path.join(path.dirname(packageJson), 'dist', 'client', 'static', 'js');
  const found: Record<string, unknown>[] = [];
  const scripts = fs.existsSync(scriptDir) ? fs.readdirSync(scriptDir).filter((f) => f.endsWith('.js')) : [];
  for (const file of scripts) {
    const source = fs.readFileSync(path.join(scriptDir, file), 'utf8');
    for (let at = source.indexOf("JSON.parse('"); at >= 0; at = source.indexOf("JSON.parse('", at + 1)) {
      const literal = readSingleQuotedLiteral(source, at + "JSON.parse('".length);
      if (literal === undefined || !literal.includes('"containerStyles"')) continue;
      const config = parseJsonObject(literal);
      if (config !== undefined && isTeamsLightHostConfig(config)) found.push(config);
    }
  }
  if (found.length !== 1) {
    throw new RenderCardsError(
      `expected one Teams light host config in ${scriptDir}, found ${found.length}; ` +
        `has ${PLAYGROUND_PACKAGE} changed? (run \`npm ci\`; this tool was written against 0.2.28)`,
    );
  }
  return found[0];
}

/** The value of the JS string literal whose text starts at `start`, just after its opening quote. */
function readSingleQuotedLiteral(source: string, start: number): string | undefined {
  let value = '';
  for (let i = start; i < source.length; i++) {
    const char = source[i];
    if (char === "'") return value;
    if (char === '\n') return undefined;
    if (char !== '\\') {
      value += char;
      continue;
    }
    const next = source[++i];
    if (next === 'u' || next === 'x') {
      const digits = next === 'u' ? 4 : 2;
      value += String.fromCharCode(parseInt(source.slice(i + 1, i + 1 + digits), 16));
      i += digits;
    } else {
      value += { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' }[next] ?? next;
    }
  }
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isTeamsLightHostConfig(config: Record<string, unknown>): boolean {
  const defaultStyle = (config.containerStyles as { default?: Record<string, unknown> } | undefined)?.default;
  const accent = (defaultStyle?.foregroundColors as { accent?: { default?: unknown } } | undefined)?.accent;
  return (
    typeof config.fontTypes === 'object' &&
    typeof config.actions === 'object' &&
    String(accent?.default).toLowerCase() === '#6264a7' &&
    String(defaultStyle?.backgroundColor).toLowerCase() === '#ffffff'
  );
}

// --- Drawing --------------------------------------------------------------------------------------

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

async function main(argv: readonly string[]): Promise<number> {
  try {
    const options = parseArgs(argv);
    if (options === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    const written = await renderAllCards(options);
    process.stdout.write(`${written.length} card pictures written to ${options.outDir}\n`);
    return 0;
  } catch (error) {
    const message =
      error instanceof RenderCardsError ? error.message : String((error as Error).stack ?? error);
    process.stderr.write(`renderCards: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
