/**
 * The tenant the settings name: a live one through Graph and Exchange Online with the configured
 * credential, or the embedded simulator, started here and stopped when the connection closes (with
 * SQLite storage it keeps its tenant in `DATA_DIR`, beside the bot's records).
 */
import type { Config } from '../config';
import { createLiveCredential } from '../adapters/credentials';
import { connectTenant, type TenantPorts } from '../adapters/tenantConnection';
import type { Clock } from '../domain/ports';
import type { Logger } from '../logger';
import type { TenantSimulator } from '../simulator';
import { simulatedTenantFile, startSimulatedTenant } from './simulatedTenant';

export type ConnectedTenant = TenantPorts & {
  /** Set in simulated mode: the running simulator. */
  simulator?: TenantSimulator;
};

export async function openTenant(config: Config, clock: Clock, logger: Logger): Promise<ConnectedTenant> {
  if (config.tenant.mode === 'live') {
    const tenant = config.tenant;
    return connectTenant(
      {
        tenantId: tenant.tenantId,
        graphEndpoint: tenant.graphEndpoint,
        exchangeEndpoint: tenant.exchangeEndpoint,
        credential: createLiveCredential(tenant),
      },
      clock,
      logger,
    );
  }
  const groupsConfigured = config.requesterGroupId !== undefined || config.approverGroupId !== undefined;
  const stateFile = simulatedTenantFile(config, logger);
  const { simulator, endpoints } = await startSimulatedTenant(config.tenant, groupsConfigured, stateFile);
  let ports: TenantPorts;
  try {
    ports = await connectTenant({ ...endpoints, tenantIdAsGiven: true }, clock, logger);
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return {
    ...ports,
    simulator,
    describe:
      `simulated tenant ${simulator.tenantId} (${simulator.scenario} scenario) at ${simulator.url}` +
      (stateFile === undefined ? ', in memory only' : `, kept in ${stateFile}`),
    close: async () => {
      await ports.close();
      await simulator.close();
    },
  };
}

/** How the help card names the tenant. */
export function describeTenant(config: Config): string {
  return config.tenant.mode === 'simulated'
    ? `simulated tenant (${config.tenant.scenario} scenario)`
    : `tenant ${config.tenant.tenantId}`;
}
