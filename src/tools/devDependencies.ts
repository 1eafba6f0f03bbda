/**
 * Files of the dev dependencies the card pictures are drawn with, read from node_modules (never
 * fetched).
 */
import path from 'node:path';
import { RenderCardsError } from './renderCardsError';

/** The repository root (this file runs as dist/src/tools/devDependencies.js). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Absolute path of a file in a dev dependency, or an error saying how to install it. */
export function devDependencyFile(request: string): string {
  try {
    return require.resolve(request, { paths: [ROOT] });
  } catch {
    throw new RenderCardsError(`cannot find ${request}; run \`npm ci\` (dev dependencies included)`);
  }
}
