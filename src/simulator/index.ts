/**
 * A Microsoft 365 tenant on loopback that speaks the real wire formats: Microsoft Graph (`/v1.0`,
 * `/beta`, `$batch`), Exchange Online's admin API (`/adminapi/beta/{tenant}/InvokeCommand`), Azure Key
 * Vault's secrets (`/secrets/{name}`) and the Entra ID token endpoint. The bot's embedded default tenant
 * (`TENANT_MODE=simulated`) and the ground the tests stand on.
 */
export {
  DEFAULT_DELAYS,
  SIMULATED_BOT_CLIENT_ID,
  startTenantSimulator,
  type TenantSimulator,
  type TenantSimulatorOptions,
} from './tenantSimulator';
export type { CallRecord, RoundTrips } from './callLog';
export type { SimulatorClock } from './clock';
export type { FaultControl, FaultHandle, FaultSpec, FaultStatus } from './faults/faultInjector';
export type { ThrottleSettings } from './graph/graphApi';
export { MAX_BATCH_REQUESTS } from './graph/graphBatch';
export { MAX_EXCHANGE_BATCH_REQUESTS } from './exchange/exchangeBatch';
export type { NewConditionalAccessPolicy, TenantChanges } from './state/tenantChanges';
export { MAILBOX_GRACE_MS } from './state/tenantState';
export { TENANT_STATE_FORMAT_VERSION, TenantStateFileError, type StateFileProblem } from './state/stateFile';
export type { Api } from './http/simMessages';
export type { KeyVaultRole, KeyVaultSecretVersion } from './keyvault/secretStore';
export {
  APPROVERS_GROUP_ID,
  PEOPLE_DOMAIN,
  REQUESTERS_GROUP_ID,
  type SimulatorSeed,
} from './state/seedTenant';
export { ROLE_IDS, APPLICATION_IMPERSONATION, EXCHANGE_ROLES } from './state/roleCatalog';
export { PEOPLE, type SeedPerson } from './state/seedData';
export {
  APPLICATION_ROLES,
  CIRASYNC_SERVICE_PRINCIPAL,
  DISABLED_SERVICE_PRINCIPAL,
  type ApplicationRole,
} from './state/appRbacCatalog';
export { SKUS } from './state/skuCatalog';
export type * from './state/stateTypes';
export type { SimulatorDelays } from './state/tenantState';
export { EXCHANGE_APP_ROLES, GRAPH_APP_ROLES, type ClientRegistration } from './token/clientRegistry';
export { EXCHANGE_RESOURCE, GRAPH_RESOURCE, KEY_VAULT_RESOURCE } from './token/tokenService';
