import type { IdGenerator } from '../idGenerator';
import type { SimRequest } from '../http/simMessages';
import type { TenantState } from '../state/tenantState';
import { GraphError, graphErrors } from './graphErrors';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphContext {
  state: TenantState;
  request: SimRequest;
  params: Record<string, string>;
  version: GraphVersion;
  /** The simulator's base URL (no trailing slash). */
  baseUrl: string;
  ids: IdGenerator;
  pageSize: number;
}

export interface GraphResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path after the version, `{name}` matching one segment: `/users/{id}/assignLicense`. */
  template: string;
  versions: readonly GraphVersion[];
  /** Application permissions of which the token needs at least one. */
  permissions: readonly string[];
  handler: (ctx: GraphContext) => GraphResult;
}

export function metadataUrl(ctx: GraphContext, fragment: string): string {
  return `${ctx.baseUrl}/${ctx.version}/$metadata#${fragment}`;
}

/** Finds the route for `segments` (the path after the version), or the error Graph gives. */
export function matchRoute(
  routes: readonly GraphRoute[],
  method: string,
  version: GraphVersion,
  segments: readonly string[],
): { route: GraphRoute; params: Record<string, string> } {
  let deepest = 0;
  const candidates: Array<{ route: GraphRoute; params: Record<string, string> }> = [];
  for (const route of routes) {
    const parts = route.template.split('/').filter((part) => part !== '');
    const params: Record<string, string> = {};
    let matched = 0;
    while (matched < parts.length && matched < segments.length) {
      const part = parts[matched];
      const segment = segments[matched];
      if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
      else if (part.toLowerCase() !== segment.toLowerCase()) break;
      matched += 1;
    }
    deepest = Math.max(deepest, matched);
    if (matched === parts.length && matched === segments.length) candidates.push({ route, params });
  }
  const inVersion = candidates.filter((candidate) => candidate.route.versions.includes(version));
  if (inVersion.length === 0) {
    const segment = segments[Math.min(deepest, segments.length - 1)] ?? '';
    throw graphErrors.unknownSegment(segment);
  }
  const found = inVersion.find((candidate) => candidate.route.method === method);
  if (found === undefined) throw graphErrors.methodNotAllowed();
  return found;
}

/** Throws Graph's 403 unless the token carries one of the route's permissions. */
export function requirePermission(route: GraphRoute, roles: readonly string[]): void {
  if (!route.permissions.some((permission) => roles.includes(permission)))
    throw graphErrors.insufficientPrivileges();
}

export { GraphError };
