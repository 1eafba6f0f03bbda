import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { SimulatorScenario } from './scenarios';
import { CallLog, type CallRecord, type RoundTrips } from './callLog';
import { SimulatorClock } from './clock';
import { ExchangeApi } from './exchange/exchangeApi';
import { FaultInjector, type FaultControl } from './faults/faultInjector';
import { GraphApi, type ThrottleSettings } from './graph/graphApi';
import { startSimServer } from './http/simServer';
import { IdGenerator } from './idGenerator';
import { KeyVaultApi } from './keyvault/keyVaultApi';
import {
  SecretStore,
  VaultAccess,
  type KeyVaultRole,
  type KeyVaultSecretVersion,
} from './keyvault/secretStore';
import { createSeededState, type SimulatorSeed } from './state/seedTenant';
import { readTenantStateFile, restoreTenant, serialiseTenant, TenantStateFile } from './state/stateFile';
import { tenantChanges, type TenantChanges } from './state/tenantChanges';
import type { TenantSnapshot } from './state/stateTypes';
import type { SimulatorDelays } from './state/tenantState';
import { ClientRegistry, type ClientRegistration } from './token/clientRegistry';
import { TokenEndpoint } from './token/tokenEndpoint';
import { createSigningKeys, guidFrom, SIMULATED_APP_DISPLAY_NAME, TokenService } from './token/tokenService';

export interface TenantSimulatorOptions {
  tenantId: string;
  scenario: SimulatorScenario;
  /** Loopback only. */
  host?: '127.0.0.1';
  /** 0 (default) = any free port. */
  port?: number;
  /** PEM key and certificate: serve HTTPS instead of HTTP (MSAL insists on an https authority). */
  https?: { key: string; cert: string };
  /** Exchange's catch-up delays; defaults in `DEFAULT_DELAYS`. */
  delays?: Partial<SimulatorDelays>;
  /** Default page size of collections (Graph without `$top`, Exchange results). Default 100. */
  pageSize?: number;
  seed?: SimulatorSeed;
  /** Overrides the `throttled` scenario's rhythm (default: every 3rd Graph request, Retry-After 1). */
  throttle?: ThrottleSettings;
  /** Largest accepted request body (default 1 MiB). */
  bodyLimitBytes?: number;
  /**
   * Keep the tenant in this JSON file: taken up at start when it exists (it must be of the same
   * tenant id and scenario, else `TenantStateFileError`), written after every change. Unset = the
   * tenant lives in memory and starts from its seed each time.
   */
  stateFile?: string;
}

/** Long enough to be seen in a demo, short next to Microsoft 365's real 30–45 minutes. */
export const DEFAULT_DELAYS: SimulatorDelays = {
  exchangeRecipientMs: 20_000,
  mailboxMs: 30_000,
  replicationMs: 60_000,
};

/** The app id of the credential the bot uses against the simulator (`clientCredential`). */
export const SIMULATED_BOT_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

export interface TenantSimulator {
  /** Base URL, e.g. `http://127.0.0.1:53123` (no trailing slash). */
  readonly url: string;
  readonly graphEndpoint: string;
  readonly exchangeEndpoint: string;
  readonly authorityHost: string;
  /**
   * The simulated Azure Key Vault (`SecretClient`'s `vaultUrl`): the simulator's origin, which serves
   * `/secrets/…`. Its challenge names `https://vault.azure.net`, so the client needs
   * `disableChallengeResourceVerification`.
   */
  readonly keyVaultUrl: string;
  readonly tenantId: string;
  readonly scenario: SimulatorScenario;
  /**
   * The client credential the token endpoint accepts for the bot (all Graph and Exchange permissions,
   * Key Vault Secrets Officer on the simulated vault).
   */
  readonly clientCredential: { clientId: string; clientSecret: string };
  readonly faults: FaultControl;
  readonly clock: SimulatorClock;
  /** Changes an admin elsewhere makes (security defaults, CA, MFA, licences, roles…), for tests. */
  readonly change: TenantChanges;
  /** A deep copy of the tenant as it is now. */
  state(): TenantSnapshot;
  /** Every request answered, in arrival order (`$batch` sub-requests included, `viaBatch`). */
  calls(): CallRecord[];
  mutatingCalls(): CallRecord[];
  /** HTTP requests actually received, by api. */
  roundTrips(): RoundTrips;
  /** Forgets the call log and round-trip counts. */
  resetCalls(): void;
  /** Moves the simulator clock forward (Exchange delays, token expiry). */
  advance(ms: number): void;
  registerClient(registration: ClientRegistration): void;
  /** Every version of every Key Vault secret, oldest first — values included, for tests; never logged. */
  keyVaultSecrets(): KeyVaultSecretVersion[];
  /** Assigns an app a data-plane role on the simulated vault, or (`undefined`) removes its role. */
  setKeyVaultRole(appId: string, role: KeyVaultRole | undefined): void;
  close(): Promise<void>;
}

export async function startTenantSimulator(options: TenantSimulatorOptions): Promise<TenantSimulator> {
  if (options.host !== undefined && options.host !== '127.0.0.1')
    throw new Error('The tenant simulator listens on 127.0.0.1 only');
  const delays: SimulatorDelays = { ...DEFAULT_DELAYS, ...options.delays };
  for (const [name, value] of Object.entries(delays)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`delays.${name} must be a number >= 0`);
  }
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');

  const clock = new SimulatorClock();
  const ids = new IdGenerator(options.seed?.idSeed ?? options.tenantId);
  const state = createSeededState({
    tenantId: options.tenantId,
    scenario: options.scenario,
    seed: options.seed ?? {},
    delays,
    clock,
    ids,
  });
  const secrets = new SecretStore();
  const kept = { tenantId: options.tenantId, scenario: options.scenario, state, secrets, ids, clock };
  let file: TenantStateFile | undefined;
  if (options.stateFile !== undefined) {
    const stateFile = path.resolve(options.stateFile);
    const saved = readTenantStateFile(stateFile, options);
    if (saved !== undefined) restoreTenant(saved, kept);
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    const writer = new TenantStateFile(stateFile, () => serialiseTenant(kept));
    state.onChanged = () => writer.changed();
    secrets.onChange = () => writer.changed();
    clock.onAdvance = () => writer.changed();
    file = writer;
  }
  const log = new CallLog();
  const faults = new FaultInjector();
  const clients = new ClientRegistry();
  const abort = new AbortController();
  // Every request held by a delay fault waits on this one signal: many at once is normal, not a leak.
  setMaxListeners(0, abort.signal);
  let baseUrl = '';
  const getBaseUrl = (): string => baseUrl;
  const tokens = new TokenService(await createSigningKeys(), options.tenantId, clock, getBaseUrl);
  const clientCredential = {
    clientId: SIMULATED_BOT_CLIENT_ID,
    clientSecret: `sim~${randomBytes(24).toString('base64url')}`,
  };
  // An app that can sign in has an enterprise application (service principal) in the tenant, with
  // the object id its tokens carry as `oid`.
  const addEnterpriseApplication = (appId: string): void => {
    if (state.servicePrincipals.some((principal) => principal.appId.toLowerCase() === appId.toLowerCase()))
      return;
    file?.changed();
    state.servicePrincipals.push({
      id: guidFrom(`sp:${appId}`),
      appId,
      displayName: SIMULATED_APP_DISPLAY_NAME,
      accountEnabled: true,
      appOwnerOrganizationId: options.tenantId,
      createdDateTime: clock.iso().replace(/\.\d{3}Z$/, 'Z'),
    });
  };
  clients.register({ clientId: clientCredential.clientId, secret: clientCredential.clientSecret });
  addEnterpriseApplication(clientCredential.clientId);
  const vaultAccess = new VaultAccess();
  vaultAccess.assign(clientCredential.clientId, 'Key Vault Secrets Officer');

  const common = {
    state,
    tokens,
    faults,
    log,
    clock,
    ids,
    baseUrl: getBaseUrl,
    pageSize,
    signal: abort.signal,
  };
  const throttle =
    options.scenario === 'throttled' ? (options.throttle ?? { every: 3, retryAfterSeconds: 1 }) : undefined;
  const graph = new GraphApi({ ...common, throttle });
  const exchange = new ExchangeApi({ ...common, clients });
  const keyVault = new KeyVaultApi({
    tenantId: options.tenantId,
    store: secrets,
    access: vaultAccess,
    tokens,
    faults,
    log,
    clock,
    ids,
    baseUrl: getBaseUrl,
    signal: abort.signal,
  });
  const entra = new TokenEndpoint({
    state,
    clients,
    tokens,
    faults,
    log,
    clock,
    baseUrl: getBaseUrl,
    signal: abort.signal,
  });
  const apis = { graph, exchange, keyvault: keyVault, token: entra };

  if (file !== undefined) {
    // Saved at once: a tenant seeded now is on disk before anyone can act on it.
    file.changed();
    await file.flush();
  }
  const server = await startSimServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    https: options.https,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    onRoundTrip: (api) => log.roundTrip(api),
    dispatch: async (api, request) => {
      const changesBefore = file?.changes;
      const response = await apis[api].handle(request);
      // A change is answered only once it is saved: whoever hears of it can count on it after a restart.
      if (file !== undefined && file.changes !== changesBefore) await file.flush();
      return response;
    },
  });
  baseUrl = server.url;

  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    graphEndpoint: server.url,
    exchangeEndpoint: server.url,
    authorityHost: server.url,
    keyVaultUrl: server.url,
    tenantId: options.tenantId,
    scenario: options.scenario,
    clientCredential,
    faults,
    clock,
    change: tenantChanges(state, ids),
    state: () => state.snapshot(),
    calls: () => log.all(),
    mutatingCalls: () => log.all().filter((call) => call.mutating),
    roundTrips: () => log.roundTrips(),
    resetCalls: () => log.clear(),
    advance: (ms) => clock.advance(ms),
    registerClient: (registration) => {
      clients.register(registration);
      addEnterpriseApplication(registration.clientId);
    },
    keyVaultSecrets: () => secrets.all(),
    setKeyVaultRole: (appId, role) => vaultAccess.assign(appId, role),
    close: () => {
      if (closed === undefined) {
        abort.abort();
        faults.clear();
        closed = server.close().then(() => file?.close());
      }
      return closed;
    },
  };
}
