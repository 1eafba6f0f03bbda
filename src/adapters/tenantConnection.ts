/**
 * Connects the domain's ports to a tenant: the built-in simulator (started in process, on loopback)
 * in simulated mode, or Microsoft Graph and Exchange Online with the configured credential when live.
 */
import type { TokenCredential } from '@azure/core-auth';
import { type Config, GUID } from '../config';
import type { Clock, Directory, Exchange } from '../domain/ports';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { randomUUID } from 'node:crypto';
import { REQUIRED_PERMISSIONS } from '../domain/permissions';
import { startTenantSimulator, type TenantSimulator } from '../simulator';

/** The bot's own app registration in the simulated tenant. */
export const SIMULATED_BOT_APP_ID = '3f9a6c1e-7d2b-4e8f-a5c4-1b0d9e8f7a6b';
import { createLiveCredential, SimulatorCredential } from './credentials';
import { ExchangeCommandClient } from './exchange/exchangeCommandClient';
import { ExchangeOnline } from './exchange/exchangeOnline';
import { createGraphClient } from './graph/graphClient';
import { GraphDirectory } from './graph/graphDirectory';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';

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
  /** Set in simulated mode: the running simulator. */
  simulator?: TenantSimulator;
  /** The app's credential (also used for Key Vault). */
  credential: TokenCredential;
  /** The application permissions (app roles) the bot's own Graph and Exchange tokens carry. */
  grantedRoles(): Promise<{ graph: string[]; exchange: string[] }>;
  describe: string;
  close(): Promise<void>;
}

export function createTenantPorts(
  endpoints: TenantEndpoints,
  retry: RetryPolicy,
): Pick<TenantPorts, 'directory' | 'exchange'> {
  const graph = createGraphClient(endpoints.credential, endpoints.graphEndpoint);
  const commands = new ExchangeCommandClient({
    credential: endpoints.credential,
    endpoint: endpoints.exchangeEndpoint,
    tenantId: endpoints.tenantId,
    retry,
  });
  return { directory: new GraphDirectory(graph, retry), exchange: new ExchangeOnline(commands) };
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

export async function connectTenant(config: Config, clock: Clock, logger: Logger): Promise<TenantPorts> {
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
  if (config.tenant.mode === 'live') {
    const tenant = config.tenant;
    const endpoints = {
      tenantId: tenant.tenantId,
      graphEndpoint: tenant.graphEndpoint,
      exchangeEndpoint: tenant.exchangeEndpoint,
      credential: createLiveCredential(tenant),
    };
    const ports = createTenantPorts(endpoints, retry);
    const tenantId = await resolveTenantId(tenant.tenantId, ports.directory);
    return {
      ...ports,
      tenantId,
      credential: endpoints.credential,
      grantedRoles: grantedRolesReader(endpoints),
      describe: `tenant ${tenantId}`,
      close: async () => undefined,
    };
  }
  const replicationMs = config.tenant.replicationMs;
  const simulator = await startTenantSimulator({
    tenantId: config.tenant.tenantId,
    scenario: config.tenant.scenario,
    delays: {
      replicationMs,
      exchangeRecipientMs: Math.round(replicationMs / 3),
      mailboxMs: Math.round(replicationMs / 2),
    },
  });
  // The bot's app in the simulated tenant holds exactly the permissions it needs (least privilege):
  // a call that needs more fails here first, as it would in a real tenant.
  const app = { clientId: SIMULATED_BOT_APP_ID, secret: randomUUID() };
  const groupsConfigured = config.requesterGroupId !== undefined || config.approverGroupId !== undefined;
  simulator.registerClient({
    clientId: app.clientId,
    secret: app.secret,
    graphRoles: REQUIRED_PERMISSIONS.filter(
      (p) => p.api === 'Microsoft Graph' && (p.onlyWithGroups !== true || groupsConfigured),
    ).map((p) => p.permission),
    exchangeRoles: REQUIRED_PERMISSIONS.filter((p) => p.api !== 'Microsoft Graph').map((p) => p.permission),
  });
  simulator.setKeyVaultRole(app.clientId, 'Key Vault Secrets Officer');
  const credential = new SimulatorCredential(
    simulator.authorityHost,
    simulator.tenantId,
    app.clientId,
    app.secret,
  );
  const endpoints = {
    tenantId: simulator.tenantId,
    graphEndpoint: simulator.graphEndpoint,
    exchangeEndpoint: simulator.exchangeEndpoint,
    credential,
  };
  const ports = createTenantPorts(endpoints, retry);
  return {
    ...ports,
    grantedRoles: grantedRolesReader(endpoints),
    credential,
    tenantId: simulator.tenantId,
    simulator,
    describe: `simulated tenant ${simulator.tenantId} (${simulator.scenario} scenario) at ${simulator.url}`,
    close: () => simulator.close(),
  };
}
