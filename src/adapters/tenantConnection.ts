/**
 * Connects the domain's ports to a tenant: the built-in simulator (started in process, on loopback)
 * in simulated mode, or Microsoft Graph and Exchange Online with the configured credential when live.
 */
import type { TokenCredential } from '@azure/core-auth';
import { type Config, GUID } from '../config';
import type { Clock, Directory, Exchange } from '../domain/ports';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { startTenantSimulator, type TenantSimulator } from '../simulator';
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
    const ports = createTenantPorts(
      {
        tenantId: tenant.tenantId,
        graphEndpoint: tenant.graphEndpoint,
        exchangeEndpoint: tenant.exchangeEndpoint,
        credential: createLiveCredential(tenant),
      },
      retry,
    );
    const tenantId = await resolveTenantId(tenant.tenantId, ports.directory);
    return { ...ports, tenantId, describe: `tenant ${tenantId}`, close: async () => undefined };
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
  const credential = new SimulatorCredential(
    simulator.authorityHost,
    simulator.tenantId,
    simulator.clientCredential.clientId,
    simulator.clientCredential.clientSecret,
  );
  const ports = createTenantPorts(
    {
      tenantId: simulator.tenantId,
      graphEndpoint: simulator.graphEndpoint,
      exchangeEndpoint: simulator.exchangeEndpoint,
      credential,
    },
    retry,
  );
  return {
    ...ports,
    tenantId: simulator.tenantId,
    simulator,
    describe: `simulated tenant ${simulator.tenantId} (${simulator.scenario} scenario) at ${simulator.url}`,
    close: () => simulator.close(),
  };
}
