/** The process environment as the tools use it besides the settings. */
import type { Env } from './reader';

/**
 * The environment for a child process this product starts (the Agents Playground in `npm run dev`):
 * the current environment plus `overrides`.
 */
export function childProcessEnvironment(overrides: Env): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** Runtime facts the tools read from the environment, kept here with the rest of the reading. */
export function isContinuousIntegration(env: Env = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}
