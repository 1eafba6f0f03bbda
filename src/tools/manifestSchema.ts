/**
 * What a Teams app package must satisfy: the filled manifest against Microsoft's official JSON schema
 * (shipped offline by the dev dependency `@microsoft/app-manifest`) plus the few rules Teams enforces
 * that the schema leaves loose, and the icons' sizes and colours. Used by `npm run package` (see
 * packageApp.ts) and by the tests.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { ValidateFunction } from 'ajv-draft-04';

export const MANIFEST_VERSION = '1.22';

/** Every problem found while building an app package, reported together. */
export class AppPackageError extends Error {
  constructor(
    readonly problems: readonly string[],
    summary = 'Cannot build the Teams app package',
    hint?: string,
  ) {
    super(
      `${summary} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        (hint === undefined ? '' : `\n${hint}`),
    );
    this.name = 'AppPackageError';
  }
}

// The validator's packages are dev dependencies: load them when needed, so that a missing one gives
// a clear message instead of a stack trace at start-up.
const devRequire = createRequire(__filename);
const DEV_DEPENDENCY_HINT =
  'the Teams manifest check needs the dev dependencies @microsoft/app-manifest, ajv, ajv-draft-04 and ajv-formats; run `npm ci` in a development checkout (not `npm ci --omit=dev`)';

/** Absolute path of the official manifest schema for {@link MANIFEST_VERSION}. */
export function manifestSchemaPath(): string {
  let packageJsonPath: string;
  try {
    // Importing the package itself fails under Jest on Node 20 (ESM dependency); its files are fine.
    packageJsonPath = devRequire.resolve('@microsoft/app-manifest/package.json');
  } catch {
    throw new AppPackageError([`cannot resolve @microsoft/app-manifest: ${DEV_DEPENDENCY_HINT}`]);
  }
  return path.join(
    path.dirname(packageJsonPath),
    'build',
    'json-schemas',
    'teams',
    `v${MANIFEST_VERSION}`,
    'MicrosoftTeams.schema.json',
  );
}

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const schemaPath = manifestSchemaPath();
  if (!fs.existsSync(schemaPath)) {
    throw new AppPackageError([`the manifest schema v${MANIFEST_VERSION} is not at ${schemaPath}`]);
  }
  let Ajv: typeof import('ajv-draft-04').default;
  let addFormats: typeof import('ajv-formats').default;
  try {
    Ajv = (devRequire('ajv-draft-04') as typeof import('ajv-draft-04')).default;
    addFormats = (devRequire('ajv-formats') as typeof import('ajv-formats')).default;
  } catch {
    throw new AppPackageError([`cannot load ajv-draft-04 / ajv-formats: ${DEV_DEPENDENCY_HINT}`]);
  }
  const schema: unknown = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  compiled = ajv.compile(schema as object);
  return compiled;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const DEVELOPER_URLS = ['websiteUrl', 'privacyUrl', 'termsOfUseUrl'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rules Teams applies on upload that the v1.22 schema does not express. */
function teamsRules(manifest: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof manifest.version === 'string' && !SEMVER.test(manifest.version)) {
    problems.push(`/version must be MAJOR.MINOR.PATCH (got "${manifest.version}")`);
  }
  const developer = manifest.developer;
  if (isRecord(developer)) {
    for (const key of DEVELOPER_URLS) {
      const url = developer[key];
      if (typeof url === 'string' && !/^https:\/\/[^\s/]+/i.test(url)) {
        problems.push(`/developer/${key} must be an https URL (got "${url}")`);
      }
    }
  }
  return problems;
}

/**
 * Checks a filled manifest (placeholders already replaced) and returns every problem found, each
 * as "<JSON pointer> <message>"; an empty list means the manifest is valid.
 */
export function validateManifest(manifest: unknown): string[] {
  const validate = schemaValidator();
  const problems: string[] = [];
  if (!validate(manifest)) {
    for (const error of validate.errors ?? []) {
      const where = error.instancePath === '' ? '/' : error.instancePath;
      const extra =
        error.keyword === 'additionalProperties'
          ? ` ("${String((error.params as { additionalProperty?: unknown }).additionalProperty)}")`
          : '';
      problems.push(`${where} ${error.message ?? 'is invalid'}${extra}`);
    }
  }
  if (isRecord(manifest)) problems.push(...teamsRules(manifest));
  return [...new Set(problems)];
}

// --- Icons -------------------------------------------------------------------------------------

export const ICON_SIZES = { color: 192, outline: 32 } as const;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngHeader(data: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  if (
    data.length < 33 ||
    !data.subarray(0, 8).equals(PNG_SIGNATURE) ||
    data.toString('latin1', 12, 16) !== 'IHDR'
  ) {
    throw new Error('not a PNG file');
  }
  return {
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    bitDepth: data[24],
    colorType: data[25],
  };
}

/** Width and height of a PNG image, from its IHDR chunk. */
export function readPngSize(data: Buffer): { width: number; height: number } {
  const { width, height } = pngHeader(data);
  return { width, height };
}

/** Decodes an 8-bit RGBA PNG (colour type 6) into `width * height * 4` bytes. */
export function readPngRgba(data: Buffer): { width: number; height: number; rgba: Buffer } {
  const { width, height, bitDepth, colorType } = pngHeader(data);
  if (bitDepth !== 8 || colorType !== 6 || data[28] !== 0) {
    throw new Error('not an 8-bit, non-interlaced RGBA PNG (colour type 6)');
  }
  const idat: Buffer[] = [];
  for (let offset = 8; offset + 8 <= data.length;) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') idat.push(data.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  if (raw.length !== (stride + 1) * height) throw new Error('PNG image data has the wrong length');
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const at = y * stride + x;
      const a = x >= 4 ? rgba[at - 4] : 0;
      const b = y > 0 ? rgba[at - stride] : 0;
      const c = x >= 4 && y > 0 ? rgba[at - stride - 4] : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`unknown PNG filter type ${filter}`);
      rgba[at] = (raw[y * (stride + 1) + 1 + x] + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

/** Teams' outline icon rule: white (any opacity) on a transparent background. */
function outlineProblem(data: Buffer): string | undefined {
  let rgba: Buffer;
  try {
    rgba = readPngRgba(data).rgba;
  } catch (error) {
    return `is ${(error as Error).message}; it needs an alpha channel for its transparent background`;
  }
  let transparent = 0;
  let coloured = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) transparent++;
    else if (rgba[i] !== 255 || rgba[i + 1] !== 255 || rgba[i + 2] !== 255) coloured++;
  }
  if (coloured > 0)
    return `has ${coloured} visible pixel(s) that are not white; it must be white on transparent`;
  if (transparent === 0) return 'has no transparent pixels; the background must be transparent';
  return undefined;
}

/** Checks one icon's size (and, for the outline icon, its colours); returns the problems found. */
export function checkIcon(kind: keyof typeof ICON_SIZES, data: Buffer): string[] {
  const size = ICON_SIZES[kind];
  let width: number;
  let height: number;
  try {
    ({ width, height } = readPngSize(data));
  } catch (error) {
    return [`is ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (width !== size || height !== size) problems.push(`is ${width}×${height}; Teams needs ${size}×${size}`);
  const outline = kind === 'outline' ? outlineProblem(data) : undefined;
  if (outline !== undefined) problems.push(outline);
  return problems;
}
