/**
 * The Microsoft Teams light host config the card pictures are drawn with. It is the one the Microsoft
 * 365 Agents Playground (a dev dependency) renders with: its web client embeds it as JSON. It is read
 * from there because the package that ships it as a file, `adaptivecards-designer`, declares a peer
 * dependency on adaptivecards 2.x and pulls in monaco-editor (86 MB).
 */
import fs from 'node:fs';
import path from 'node:path';
import { devDependencyFile } from './devDependencies';
import { RenderCardsError } from './renderCardsError';

const PLAYGROUND_PACKAGE = '@microsoft/m365agentsplayground';

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
