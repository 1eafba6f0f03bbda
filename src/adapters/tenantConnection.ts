/**
 * Connects the domain's ports to one tenant: Microsoft Graph and Exchange Online at the given
 * endpoints, with the given credential — a live tenant, or the simulator the composition root started.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Clock, Directory, Exchange, ExchangeAppAccess } from '../domain/ports';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { ExchangeCommandClient } from './exchange/exchangeCommandClient';
import { ExchangeOnline } from './exchange/exchangeOnline';
import { createGraphClient } from './graph/graphClient';
import { GraphDirectory } from './graph/graphDirectory';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TenantEndpoints {
  tenantId: string;
  graphEndpoint: string;
  exchangeEndpoint: string;
  credential: TokenCredential;
}

export interface TenantPorts {
  /** The tenant the bot provisions in, as Teams activities name it (`channelData.tenant.id`). */
  tenantId: string;
  directory: Directory;
  exchange: Exchange;
  /** Exchange Online's RBAC for Applications, for granting the sync product's own app. */
  appAccess: ExchangeAppAccess;
  /** The app's credential (also used for Key Vault). */
  credential: TokenCredential;
  /** The application permissions (app roles) the bot's own Graph and Exchange tokens carry. */
  grantedRoles(): Promise<{ graph: string[]; exchange: string[] }>;
  describe: string;
  close(): Promise<void>;
}

/** `logger` gets the debug line of each Graph and Exchange round trip (at `LOG_LEVEL=debug`). */
export function createTenantPorts(
  endpoints: TenantEndpoints,
  retry: RetryPolicy,
  logger?: Logger,
): Pick<TenantPorts, 'directory' | 'exchange' | 'appAccess'> {
  const graph = createGraphClient(endpoints.credential, endpoints.graphEndpoint, logger);
  const commands = new ExchangeCommandClient({
    credential: endpoints.credential,
    endpoint: endpoints.exchangeEndpoint,
    tenantId: endpoints.tenantId,
    retry,
    logger,
  });
  const exchange = new ExchangeOnline(commands);
  return { directory: new GraphDirectory(graph, retry), exchange, appAccess: exchange };
}

/** The `roles` claim of an access token (the app's application permissions for that resource). */
export function rolesInToken(token: string): string[] {
  const payload = token.split('.')[1];
  if (payload === undefined) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

function grantedRolesReader(
  endpoints: Pick<TenantEndpoints, 'credential' | 'graphEndpoint' | 'exchangeEndpoint'>,
): () => Promise<{ graph: string[]; exchange: string[] }> {
  return async () => {
    const [graph, exchange] = await Promise.all(
      [endpoints.graphEndpoint, endpoints.exchangeEndpoint].map(async (resource) => {
        const token = await endpoints.credential.getToken(`${resource}/.default`);
        return token === null ? [] : rolesInToken(token.token);
      }),
    );
    if (endpoints.graphEndpoint !== endpoints.exchangeEndpoint) return { graph, exchange };
    // One host serving both APIs (the simulator): one token carries both sets; sort them by name.
    const all = [...new Set([...graph, ...exchange])];
    const isExchange = (role: string) => /^Exchange\./i.test(role) || role === 'full_access_as_app';
    return { graph: all.filter((r) => !isExchange(r)), exchange: all.filter(isExchange) };
  };
}

/**
 * Teams names a tenant by its GUID (`channelData.tenant.id`); a connection configured with a domain
 * name (contoso.onmicrosoft.com) is resolved to that GUID once, at start-up, so both agree.
 */
export async function resolveTenantId(configured: string, directory: Directory): Promise<string> {
  if (GUID.test(configured)) return configured.toLowerCase();
  try {
    return await directory.organizationId();
  } catch (error) {
    const reason = isAppError(error)
      ? error.userMessage
      : error instanceof Error
        ? error.message
        : String(error);
    throw new Error(
      `Could not resolve AAD_APP_TENANT_ID "${configured}" to the tenant's id through Microsoft Graph: ${reason}`,
    );
  }
}

export interface TenantConnectionOptions extends TenantEndpoints {
  /**
   * True when `tenantId` is already the id Teams puts on activities (the simulator's). Otherwise it is
   * as configured: a GUID, or a domain name resolved to the GUID through Graph.
   */
  tenantIdAsGiven?: boolean;
}

export async function connectTenant(
  options: TenantConnectionOptions,
  clock: Clock,
  logger: Logger,
): Promise<TenantPorts> {
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY,
    clock,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.warn('Retrying a Microsoft 365 call', {
        attempt,
        delayMs,
        code: error.code,
        operation: error.details.operation,
        requestId: error.details.requestId,
      }),
  };
  const { tenantIdAsGiven, ...endpoints } = options;
  const ports = createTenantPorts(endpoints, retry, logger);
  const tenantId =
    tenantIdAsGiven === true
      ? endpoints.tenantId
      : await resolveTenantId(endpoints.tenantId, ports.directory);
  return {
    ...ports,
    tenantId,
    credential: endpoints.credential,
    grantedRoles: grantedRolesReader(endpoints),
    describe: `tenant ${tenantId}`,
    close: async () => undefined,
  };
}
