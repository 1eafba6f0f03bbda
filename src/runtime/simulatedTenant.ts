/**
 * The embedded tenant of `TENANT_MODE=simulated`: the simulator, started in process on loopback, with
 * the bot's app registered in it.
 */
import { randomUUID } from 'node:crypto';
import type { TenantConnection } from '../config';
import { SimulatorCredential } from '../adapters/credentials';
import type { TenantEndpoints } from '../adapters/tenantConnection';
import { REQUIRED_PERMISSIONS } from '../domain/permissions';
import { startTenantSimulator, type TenantSimulator } from '../simulator';

/** The bot's own app registration in the simulated tenant. */
export const SIMULATED_BOT_APP_ID = '3f9a6c1e-7d2b-4e8f-a5c4-1b0d9e8f7a6b';

export interface SimulatedTenant {
  simulator: TenantSimulator;
  /** Where the bot reaches the simulator, signed in as its app there. */
  endpoints: TenantEndpoints;
}

export async function startSimulatedTenant(
  settings: Extract<TenantConnection, { mode: 'simulated' }>,
  groupsConfigured: boolean,
): Promise<SimulatedTenant> {
  const replicationMs = settings.replicationMs;
  const simulator = await startTenantSimulator({
    tenantId: settings.tenantId,
    scenario: settings.scenario,
    delays: {
      replicationMs,
      exchangeRecipientMs: Math.round(replicationMs / 3),
      mailboxMs: Math.round(replicationMs / 2),
    },
  });
  // The bot's app in the simulated tenant holds exactly the permissions it needs (least privilege):
  // a call that needs more fails here first, as it would in a real tenant.
  const app = { clientId: SIMULATED_BOT_APP_ID, secret: randomUUID() };
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
  return {
    simulator,
    endpoints: {
      tenantId: simulator.tenantId,
      graphEndpoint: simulator.graphEndpoint,
      exchangeEndpoint: simulator.exchangeEndpoint,
      credential,
    },
  };
}
