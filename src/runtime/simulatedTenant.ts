/**
 * The embedded tenant of `TENANT_MODE=simulated`: the simulator, started in process on loopback, with
 * the bot's app registered in it. With `STORAGE=sqlite` it keeps its tenant in a file next to the
 * bot's database (`SIMULATED_TENANT_FILE_NAME` in `DATA_DIR`), so a restart finds the accounts the
 * bot's records name; with `STORAGE=azure` it lives in the memory of each process.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config, TenantConnection } from '../config';
import { SimulatorCredential } from '../adapters/credentials';
import { SQLITE_FILE_NAME } from '../adapters/storage/createStorage';
import type { TenantEndpoints } from '../adapters/tenantConnection';
import { REQUIRED_PERMISSIONS } from '../domain/permissions';
import type { Logger } from '../logger';
import { startTenantSimulator, TenantStateFileError, type TenantSimulator } from '../simulator';

/** The simulated tenant's file in `DATA_DIR`, beside the bot's SQLite database. */
export const SIMULATED_TENANT_FILE_NAME = 'simulated-tenant.json';

/**
 * Where the simulated tenant is kept for these settings: a file in `DATA_DIR` with SQLite storage,
 * nowhere (memory) with Azure storage. Says at start what an admin should know about it.
 */
export function simulatedTenantFile(config: Pick<Config, 'storage'>, logger: Logger): string | undefined {
  const storage = config.storage;
  if (storage.kind !== 'sqlite') {
    logger.warn(
      'The simulated tenant lives in the memory of this process: it starts from its seed at every start, and each instance has its own, while the requests in Azure storage are shared. Use it for trying the bot, not for several instances.',
    );
    return undefined;
  }
  const file = path.resolve(storage.dataDir, SIMULATED_TENANT_FILE_NAME);
  const database = path.resolve(storage.dataDir, SQLITE_FILE_NAME);
  if (fs.existsSync(database) && !fs.existsSync(file)) {
    logger.warn(
      `The bot's database in ${path.dirname(file)} was made without a simulated tenant file: the simulated tenant starts from its seed, so requests made before may name accounts it does not hold. Delete that folder to start over.`,
      { file },
    );
  }
  return file;
}

/** The bot's own app registration in the simulated tenant. */
export const SIMULATED_BOT_APP_ID = '3f9a6c1e-7d2b-4e8f-a5c4-1b0d9e8f7a6b';

export interface SimulatedTenant {
  simulator: TenantSimulator;
  /** Where the bot reaches the simulator, signed in as its app there. */
  endpoints: TenantEndpoints;
}

/** `stateFile`: where the tenant is kept (see `simulatedTenantFile`); unset = in memory. */
export async function startSimulatedTenant(
  settings: Extract<TenantConnection, { mode: 'simulated' }>,
  groupsConfigured: boolean,
  stateFile?: string,
): Promise<SimulatedTenant> {
  const replicationMs = settings.replicationMs;
  let simulator: TenantSimulator;
  try {
    simulator = await startTenantSimulator({
      tenantId: settings.tenantId,
      scenario: settings.scenario,
      delays: {
        replicationMs,
        exchangeRecipientMs: Math.round(replicationMs / 3),
        mailboxMs: Math.round(replicationMs / 2),
      },
      stateFile,
    });
  } catch (error) {
    if (error instanceof TenantStateFileError) throw new Error(withAdvice(error));
    throw error;
  }
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

/** The file's problem, and what the admin can do: the bot's records and the tenant go together. */
function withAdvice(error: TenantStateFileError): string {
  const folder = path.dirname(error.file);
  const keep =
    error.problem === 'otherTenant' || error.problem === 'otherScenario'
      ? 'To go on with it, start the bot with the AAD_APP_TENANT_ID and SIMULATOR_SCENARIO it was made with.'
      : 'To go on with it, put back a good copy of the file.';
  return (
    `${error.message} The bot's database in the same folder remembers the requests and accounts of that tenant, so the bot does not start on a fresh one. ` +
    `${keep} To start over, stop the bot and delete ${folder} (the file and the database together).`
  );
}
