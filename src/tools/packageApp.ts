/**
 * `npm run package -- [envName]` (default `local`): builds `appPackage/build/appPackage.<envName>.zip`,
 * the Teams app package to upload or sideload. It fills every `${{NAME}}` in appPackage/manifest.json
 * from `env/.env.<envName>` and, when present, `env/.env.<envName>.user` (which wins), validates the
 * result against the official manifest schema, checks the icons and zips manifest.json and the icons.
 * It reads those files only, never the process environment. The Agents Toolkit's
 * `teamsApp/zipAppPackage` (m365agents.yml) does the same job; this tool works offline without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { AppPackageError, checkIcon, ICON_SIZES, validateManifest } from './manifestSchema';

export { AppPackageError, readPngRgba, readPngSize, validateManifest } from './manifestSchema';

export const DEFAULT_ENV_NAME = 'local';
const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

// --- Environment files -------------------------------------------------------------------------

/**
 * Parses dotenv text: `KEY=VALUE` lines, `#` comment lines, blank lines, an optional `export `
 * prefix, values in single, double or back quotes (double quotes understand \n, \t, \" and \\),
 * and ` # comments` after a value. Throws an {@link AppPackageError} naming each malformed line.
 */
export function parseDotEnv(text: string, source = 'env file'): Record<string, string> {
  const values = new Map<string, string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    const value = match === null ? undefined : parseValue(match[2]);
    if (match === null || value === undefined) {
      problems.push(`${source}:${index + 1}: expected KEY=VALUE (with matching quotes), got "${line}"`);
    } else {
      values.set(match[1], value);
    }
  });
  if (problems.length > 0) throw new AppPackageError(problems, 'Cannot read the environment file');
  return Object.fromEntries(values);
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The value after `=`; undefined when a quote is not closed or text follows the closing quote. */
function parseValue(raw: string): string | undefined {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') return raw.replace(/(^|\s+)#.*$/, '').trim();
  let value = '';
  for (let i = 1; i < raw.length; i++) {
    const char = raw[i];
    if (char === quote) return /^\s*(#.*)?$/.test(raw.slice(i + 1)) ? value : undefined;
    if (quote === '"' && char === '\\' && i + 1 < raw.length) {
      const next = raw[++i];
      value += ESCAPES[next] ?? `\\${next}`;
    } else {
      value += char;
    }
  }
  return undefined;
}

/**
 * Reads `.env.<envName>` (required) and `.env.<envName>.user` (optional, wins) from `envDir`;
 * `looked` names the files read or looked for, for error messages.
 */
export function readEnvironment(
  envDir: string,
  envName: string,
): { values: Record<string, string>; looked: string[] } {
  if (!ENV_NAME.test(envName)) {
    throw new AppPackageError([
      `environment name "${envName}": use letters, digits, "-" and "_" only (e.g. local, dev)`,
    ]);
  }
  const base = path.join(envDir, `.env.${envName}`);
  const user = `${base}.user`;
  if (!fs.existsSync(base)) {
    const known = fs.existsSync(envDir)
      ? fs.readdirSync(envDir).flatMap((f) => /^\.env\.([A-Za-z0-9_-]+)$/.exec(f)?.slice(1) ?? [])
      : [];
    throw new AppPackageError(
      [`${base} does not exist`],
      `Unknown environment "${envName}"`,
      `Environments in ${envDir}: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  const hasUser = fs.existsSync(user);
  const values = {
    ...parseDotEnv(fs.readFileSync(base, 'utf8'), base),
    ...(hasUser ? parseDotEnv(fs.readFileSync(user, 'utf8'), user) : {}),
  };
  return { values, looked: [base, hasUser ? user : `${user} (not present)`] };
}

// --- Placeholders ------------------------------------------------------------------------------

/**
 * Replaces each `${{NAME}}` that has a non-empty value; `missing` lists, once each, the names left
 * in the text because they have no value.
 */
export function fillPlaceholders(
  text: string,
  values: Readonly<Record<string, string>>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value !== undefined && value.trim() !== '') return value;
    if (!missing.includes(name)) missing.push(name);
    return whole;
  });
  return { text: filled, missing };
}

/** Fills placeholders in every string of a parsed JSON document (so values need no escaping). */
function fillJson(document: unknown, values: Readonly<Record<string, string>>, missing: string[]): unknown {
  if (typeof document === 'string') {
    const filled = fillPlaceholders(document, values);
    for (const name of filled.missing) if (!missing.includes(name)) missing.push(name);
    return filled.text;
  }
  if (Array.isArray(document)) return document.map((item) => fillJson(item, values, missing));
  if (typeof document === 'object' && document !== null) {
    return Object.fromEntries(
      Object.entries(document).map(([key, value]) => [key, fillJson(value, values, missing)]),
    );
  }
  return document;
}

interface PackageFile {
  entryName: string;
  data: Buffer;
}

/** Reads and checks the icons the manifest names; returns the files to zip and the problems. */
function readIcons(manifest: unknown, appPackageDir: string): { files: PackageFile[]; problems: string[] } {
  const files: PackageFile[] = [];
  const problems: string[] = [];
  const icons: unknown = (manifest as { icons?: unknown } | null)?.icons;
  for (const kind of Object.keys(ICON_SIZES) as (keyof typeof ICON_SIZES)[]) {
    const relative =
      typeof icons === 'object' && icons !== null ? (icons as Record<string, unknown>)[kind] : undefined;
    if (typeof relative !== 'string') continue; // the schema check reports it
    const file = path.resolve(appPackageDir, relative);
    if (!file.startsWith(appPackageDir + path.sep)) {
      problems.push(`icons.${kind} "${relative}" must be a file inside ${appPackageDir}`);
      continue;
    }
    if (!fs.existsSync(file)) {
      problems.push(`icons.${kind}: ${file} does not exist`);
      continue;
    }
    const data = fs.readFileSync(file);
    problems.push(...checkIcon(kind, data).map((p) => `icons.${kind}: ${relative} ${p}`));
    files.push({ entryName: path.relative(appPackageDir, file).split(path.sep).join('/'), data });
  }
  return { files, problems };
}

// --- Package ---------------------------------------------------------------------------------------

export interface BuildAppPackageOptions {
  /** Name of the environment: reads `.env.<envName>` (+ `.user`). */
  envName: string;
  /** The project folder; found from this file's location when omitted. */
  rootDir?: string;
  /** Default `<rootDir>/env`; relative paths are relative to `rootDir`, here and below. */
  envDir?: string;
  /** Folder of manifest.json and the icons. Default `<rootDir>/appPackage`. */
  appPackageDir?: string;
  /** Default `<appPackageDir>/build`. */
  outputDir?: string;
}

/** The nearest folder at or above `start` that holds appPackage/manifest.json. */
export function findProjectRoot(start: string = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'appPackage', 'manifest.json'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new AppPackageError([`no folder at or above ${start} holds appPackage/manifest.json`]);
    }
  }
}

/** Builds the app package for one environment and returns the zip's path. */
export function buildAppPackage(options: BuildAppPackageOptions): string {
  const rootDir = path.resolve(options.rootDir ?? findProjectRoot());
  const envDir = path.resolve(rootDir, options.envDir ?? 'env');
  const appPackageDir = path.resolve(rootDir, options.appPackageDir ?? 'appPackage');
  const outputDir =
    options.outputDir === undefined
      ? path.join(appPackageDir, 'build')
      : path.resolve(rootDir, options.outputDir);
  const manifestPath = path.join(appPackageDir, 'manifest.json');

  const environment = readEnvironment(envDir, options.envName);
  const values = { TEAMSFX_ENV: options.envName, ...environment.values };

  let template: unknown;
  try {
    template = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new AppPackageError([`${manifestPath}: ${(error as Error).message}`]);
  }
  const missing: string[] = [];
  const manifest = fillJson(template, values, missing);
  if (missing.length > 0) {
    throw new AppPackageError(
      missing.map((name) => `\${{${name}}} has no value`),
      `Cannot fill ${manifestPath} for environment "${options.envName}"`,
      `Looked in: ${environment.looked.join(', ')}`,
    );
  }

  const icons = readIcons(manifest, appPackageDir);
  const problems = [...validateManifest(manifest).map((p) => `manifest.json ${p}`), ...icons.problems];
  if (problems.length > 0) {
    throw new AppPackageError(problems, `The Teams app package for "${options.envName}" is not valid`);
  }

  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  for (const icon of icons.files) zip.addFile(icon.entryName, icon.data);
  fs.mkdirSync(outputDir, { recursive: true });
  const zipPath = path.join(outputDir, `appPackage.${options.envName}.zip`);
  zip.writeZip(zipPath);
  return zipPath;
}

// --- Command line ------------------------------------------------------------------------------------

export interface CliIo {
  /** The project folder; found from this file's location when omitted. */
  rootDir?: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE =
  'Usage: npm run package -- [envName]\n' +
  `Builds appPackage/build/appPackage.<envName>.zip from env/.env.<envName> (+ .user); default "${DEFAULT_ENV_NAME}".\n`;

/** Runs the command line; returns the process exit code. */
export function runCli(argv: readonly string[], io: CliIo): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (argv.length > 1 || argv.some((arg) => arg.startsWith('-'))) {
    io.stderr.write(`packageApp: unexpected arguments: ${argv.join(' ')}\n${USAGE}`);
    return 1;
  }
  const envName = argv[0] ?? DEFAULT_ENV_NAME;
  try {
    const zipPath = buildAppPackage({ envName, rootDir: io.rootDir });
    io.stdout.write(`Teams app package for "${envName}": ${zipPath}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
