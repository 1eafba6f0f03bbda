/**
 * `npm run cards:render -- [--browser <path>] [--out <dir>]`: draws every card template with each
 * of its samples (cards/samples.ts) to `docs/cards/<card>-<n>.png`, the pictures in the README.
 *
 * How each card is drawn is in cardPictures.ts; where the Teams host config comes from, in
 * teamsHostConfig.ts.
 */
import path from 'node:path';
import { renderAllCards, type RenderCardsOptions } from './cardPictures';
import { ROOT } from './devDependencies';
import { RenderCardsError } from './renderCardsError';

const DEFAULT_BROWSER = '/usr/bin/chromium';
const DEFAULT_OUT_DIR = path.join('docs', 'cards');

const USAGE =
  'Usage: npm run cards:render -- [--browser <path>] [--out <dir>]\n' +
  `Draws every card sample to <dir>/<card>-<n>.png (default ${DEFAULT_OUT_DIR}) with the Chromium at <path> (default ${DEFAULT_BROWSER}).\n`;

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
