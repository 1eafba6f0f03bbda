/**
 * Validates cards against the official Adaptive Card schema kept in ../shared/schemas. The official
 * files are draft-06 with draft-03 leftovers (a top-level `id`, boolean `required` inside properties);
 * those are dropped before compiling. Teams' own root-level `msteams` key is set aside, nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';

export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas');

function stripLegacy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLegacy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' && typeof value === 'boolean') continue;
    out[key] = stripLegacy(value);
  }
  return out;
}

const cache = new Map<string, ValidateFunction>();

export function adaptiveCardValidator(version: '1.5' | '1.6'): ValidateFunction {
  const cached = cache.get(version);
  if (cached) return cached;
  const file = path.join(SCHEMA_DIR, `adaptive-card-${version}.json`);
  if (!fs.existsSync(file))
    throw new Error(`Adaptive Card schema not found at ${file} (../shared/schemas beside the repo)`);
  const schema = stripLegacy(JSON.parse(fs.readFileSync(file, 'utf8'))) as Record<string, unknown>;
  delete schema.id;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajv.addMetaSchema(draft06);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  cache.set(version, validate);
  return validate;
}

export function validateAdaptiveCard(
  card: Record<string, unknown>,
  version: '1.5' | '1.6' = '1.6',
): ErrorObject[] {
  const { msteams: _teamsOnly, ...rest } = card;
  const validate = adaptiveCardValidator(version);
  return validate(rest) ? [] : [...(validate.errors ?? [])];
}
