import { isRecord, parseJson } from '../http/jsonValue';
import { GraphError } from './graphErrors';

/** `$select` as a list of property names; undefined when absent. Unknown names are Graph's 400. */
export function parseSelect(
  query: URLSearchParams,
  known: readonly string[],
  typeName: string,
): string[] | undefined {
  const raw = query.get('$select');
  if (raw === null || raw.trim() === '') return undefined;
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!known.includes(name)) {
      throw new GraphError(
        400,
        'BadRequest',
        `Could not find a property named '${name}' on type 'microsoft.graph.${typeName}'.`,
      );
    }
  }
  return names;
}

/** Copies only the selected properties (plus `id`, as Graph always returns it), in Graph's order. */
export function project(
  entity: Record<string, unknown>,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  if (select === undefined) return entity;
  const out: Record<string, unknown> = {};
  for (const name of ['id', ...select]) if (name in entity) out[name] = entity[name];
  return out;
}

export interface PageRequest {
  query: URLSearchParams;
  /** Page size when `$top` is absent. */
  defaultPageSize: number;
  /** Absolute URL of the collection, without the query (for `@odata.nextLink`). */
  collectionUrl: string;
}

/** One page of `items` per `$top` and `$skiptoken`, with the next page's link when there is one. */
export function pageOf<T>(items: readonly T[], request: PageRequest): { items: T[]; nextLink?: string } {
  const { query } = request;
  const topRaw = query.get('$top');
  let size = request.defaultPageSize;
  if (topRaw !== null) {
    const top = Number(topRaw);
    if (!/^\d+$/.test(topRaw) || top < 1 || top > 999) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`,
      );
    }
    size = top;
  }
  const offset = readSkipToken(query.get('$skiptoken'));
  const page = items.slice(offset, offset + size);
  if (offset + size >= items.length) return { items: page };
  const params: string[] = [];
  for (const [key, value] of query)
    if (key !== '$skiptoken') params.push(`${key}=${encodeURIComponent(value)}`);
  params.push(`$skiptoken=${writeSkipToken(offset + size)}`);
  return { items: page, nextLink: `${request.collectionUrl}?${params.join('&')}` };
}

export function collectionBody(
  context: string,
  page: { items: unknown[]; nextLink?: string },
): Record<string, unknown> {
  return {
    '@odata.context': context,
    ...(page.nextLink !== undefined ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items,
  };
}

function writeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ sim: 1, offset })).toString('base64url');
}

function readSkipToken(token: string | null): number {
  if (token === null) return 0;
  const parsed = parseJson(Buffer.from(token, 'base64url').toString('utf8'));
  if (
    parsed.ok &&
    isRecord(parsed.value) &&
    typeof parsed.value.offset === 'number' &&
    parsed.value.offset >= 0
  ) {
    return parsed.value.offset;
  }
  throw new GraphError(400, 'Request_BadRequest', `'${token}' is not a valid skip token.`);
}
