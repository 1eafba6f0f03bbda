import { isRecord, type JsonObject } from '../http/jsonValue';
import type { SimRequest } from '../http/simMessages';
import { keyVaultErrors } from './keyVaultErrors';
import type { KeyVaultSecretVersion } from './secretStore';

const MAX_VALUE_BYTES = 25 * 1024;
const MAX_TAGS = 15;

export type SecretParameters = Pick<
  KeyVaultSecretVersion,
  'value' | 'contentType' | 'tags' | 'enabled' | 'exp' | 'nbf'
>;

/** The body of `PUT /secrets/{name}`: `{value, contentType?, attributes?:{enabled?, exp?, nbf?}, tags?}`. */
export function parseSecretParameters(request: SimRequest): SecretParameters {
  if (request.bodyProblem === 'too-large')
    throw keyVaultErrors.badParameter('The request body is too large.');
  if (request.bodyProblem === 'invalid-json' || !isRecord(request.body))
    throw keyVaultErrors.badParameter('The request body must be a JSON object.');
  const body = request.body;
  if (typeof body.value !== 'string') throw keyVaultErrors.badParameter("Property 'value' is required.");
  if (Buffer.byteLength(body.value) > MAX_VALUE_BYTES)
    throw keyVaultErrors.badParameter(`The secret value is larger than ${MAX_VALUE_BYTES} bytes.`);
  if (body.contentType !== undefined && typeof body.contentType !== 'string')
    throw keyVaultErrors.badParameter("Property 'contentType' must be a string.");
  const attributes = body.attributes ?? {};
  if (!isRecord(attributes)) throw keyVaultErrors.badParameter("Property 'attributes' must be an object.");
  if (attributes.enabled !== undefined && typeof attributes.enabled !== 'boolean')
    throw keyVaultErrors.badParameter("Property 'attributes.enabled' must be a boolean.");
  const parameters: SecretParameters = {
    value: body.value,
    tags: parseTags(body.tags),
    enabled: attributes.enabled ?? true,
  };
  if (typeof body.contentType === 'string') parameters.contentType = body.contentType;
  const exp = unixSeconds(attributes, 'exp');
  const nbf = unixSeconds(attributes, 'nbf');
  if (exp !== undefined) parameters.exp = exp;
  if (nbf !== undefined) parameters.nbf = nbf;
  return parameters;
}

function parseTags(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw keyVaultErrors.badParameter("Property 'tags' must be an object.");
  const entries = Object.entries(raw);
  if (entries.length > MAX_TAGS)
    throw keyVaultErrors.badParameter(`A secret can have at most ${MAX_TAGS} tags.`);
  const tags: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || key.length > 512 || value.length > 256)
      throw keyVaultErrors.badParameter(`Tag '${key}' must be a string of at most 256 characters.`);
    tags[key] = value;
  }
  return tags;
}

function unixSeconds(attributes: JsonObject, key: 'exp' | 'nbf'): number | undefined {
  const value = attributes[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw keyVaultErrors.badParameter(`Property 'attributes.${key}' must be a Unix time in seconds.`);
  return value;
}
