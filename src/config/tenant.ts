/**
 * The tenant the bot provisions in: the embedded simulator (`TENANT_MODE=simulated`, with its scenario)
 * or a live tenant through Graph and Exchange Online with the app's credential.
 */
import {
  AGENTS_PLAYGROUND_TENANT_ID,
  SIMULATOR_SCENARIOS,
  type SimulatorScenario,
} from '../simulator/scenarios';
import { GUID, type SettingsReader } from './reader';

export type TenantMode = 'simulated' | 'live';

/** The credential the bot uses for Microsoft Graph and Exchange Online in a live tenant. */
export type TenantCredential =
  | { kind: 'secret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string }
  /** System-assigned when `clientId` is absent, user-assigned otherwise. */
  | { kind: 'managedIdentity'; clientId?: string };

export type TenantConnection =
  | {
      mode: 'simulated';
      tenantId: string;
      scenario: SimulatorScenario;
      /** How long the simulated Exchange takes to replicate a role group member. */
      replicationMs: number;
    }
  | {
      mode: 'live';
      tenantId: string;
      credential: TenantCredential;
      authorityHost: string;
      graphEndpoint: string;
      exchangeEndpoint: string;
    };

const TENANT_MODES: readonly TenantMode[] = ['simulated', 'live'];
const SCENARIOS: readonly SimulatorScenario[] = SIMULATOR_SCENARIOS;
const CREDENTIAL_KINDS = ['secret', 'certificate', 'managedIdentity'] as const;

export function readTenant(r: SettingsReader): TenantConnection {
  const aadTenantId = r.tenantId('AAD_APP_TENANT_ID', r.read('AAD_APP_TENANT_ID'));
  const clientId = r.read('AAD_APP_CLIENT_ID');
  const clientSecret = r.read('AAD_APP_CLIENT_SECRET') ?? r.read('SECRET_AAD_APP_CLIENT_SECRET');
  const certificatePath = r.read('AAD_APP_CERTIFICATE_PATH');
  const credentialChoice = r.read('AAD_APP_CREDENTIAL');
  const anyCredential =
    clientId !== undefined ||
    clientSecret !== undefined ||
    certificatePath !== undefined ||
    credentialChoice !== undefined;
  const tenantMode = r.oneOf('TENANT_MODE', TENANT_MODES, anyCredential ? 'live' : 'simulated');
  const authorityHost = r.url('AAD_APP_OAUTH_AUTHORITY_HOST', 'https://login.microsoftonline.com');
  const graphEndpoint = r.url('GRAPH_ENDPOINT', 'https://graph.microsoft.com');
  const exchangeEndpoint = r.url('EXCHANGE_ENDPOINT', 'https://outlook.office365.com');
  const scenario = r.oneOf('SIMULATOR_SCENARIO', SCENARIOS, 'classic');

  if (tenantMode === 'simulated') {
    return {
      mode: 'simulated',
      tenantId: aadTenantId ?? AGENTS_PLAYGROUND_TENANT_ID,
      scenario,
      replicationMs: r.number('SIMULATOR_REPLICATION_SECONDS', 60, 0, 86_400, false) * 1000,
    };
  }
  if (aadTenantId === undefined) r.problem('AAD_APP_TENANT_ID: required when TENANT_MODE=live');
  if (clientId !== undefined && !GUID.test(clientId)) {
    r.problem(`AAD_APP_CLIENT_ID: must be an application (client) id, a GUID (got "${clientId}")`);
  }
  return {
    mode: 'live',
    tenantId: aadTenantId ?? '',
    credential: readCredential(r, { clientId, clientSecret, certificatePath, credentialChoice }),
    authorityHost,
    graphEndpoint,
    exchangeEndpoint,
  };
}

/** The live tenant's credential: chosen by `AAD_APP_CREDENTIAL`, else inferred from what is set. */
function readCredential(
  r: SettingsReader,
  given: { clientId?: string; clientSecret?: string; certificatePath?: string; credentialChoice?: string },
): TenantCredential {
  const { clientId, clientSecret, certificatePath, credentialChoice } = given;
  let kind: TenantCredential['kind'] | undefined;
  if (credentialChoice !== undefined) {
    kind = CREDENTIAL_KINDS.find((k) => k.toLowerCase() === credentialChoice.toLowerCase());
    if (kind === undefined) {
      r.problem(
        `AAD_APP_CREDENTIAL: must be one of ${CREDENTIAL_KINDS.join(', ')} (got "${credentialChoice}")`,
      );
    }
  } else if (clientSecret !== undefined && certificatePath !== undefined) {
    r.problem(
      'AAD_APP_CREDENTIAL: both a client secret and AAD_APP_CERTIFICATE_PATH are set; choose one with AAD_APP_CREDENTIAL',
    );
  } else if (certificatePath !== undefined) {
    kind = 'certificate';
  } else {
    kind = 'secret';
  }
  if (kind === 'secret') {
    if (clientId === undefined)
      r.problem('AAD_APP_CLIENT_ID: required when TENANT_MODE=live with a client secret');
    if (clientSecret === undefined) {
      r.problem(
        'AAD_APP_CLIENT_SECRET: required when TENANT_MODE=live (or set SECRET_AAD_APP_CLIENT_SECRET, AAD_APP_CERTIFICATE_PATH, or AAD_APP_CREDENTIAL=managedIdentity)',
      );
    }
    return { kind, clientId: clientId ?? '', clientSecret: clientSecret ?? '' };
  }
  if (kind === 'certificate') {
    if (clientId === undefined)
      r.problem('AAD_APP_CLIENT_ID: required when TENANT_MODE=live with a certificate');
    if (certificatePath === undefined)
      r.problem('AAD_APP_CERTIFICATE_PATH: required with AAD_APP_CREDENTIAL=certificate');
    return { kind, clientId: clientId ?? '', certificatePath: certificatePath ?? '' };
  }
  return { kind: 'managedIdentity', clientId };
}
