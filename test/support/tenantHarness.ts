/**
 * The engine's real adapters against the tenant simulator over HTTP, with short delays and quick
 * retries so a whole provisioning run takes a second or two.
 */
import type { TokenCredential } from '@azure/core-auth';
import { SimulatorCredential } from '../../src/adapters/credentials';
import type { RetryPolicy } from '../../src/adapters/retry';
import { createTenantPorts } from '../../src/adapters/tenantConnection';
import type { SimulatorScenario } from '../../src/simulator/scenarios';
import type { Patience } from '../../src/domain/patience';
import { systemClock } from '../../src/domain/ports';
import type { ServiceAccountSpec } from '../../src/domain/provisioningSteps';
import type { Directory, Exchange, ExchangeAppAccess } from '../../src/domain/ports';
import {
  SKUS,
  startTenantSimulator,
  type TenantSimulator,
  type TenantSimulatorOptions,
} from '../../src/simulator';

export const TENANT_ID = '7f1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';

export interface Harness {
  simulator: TenantSimulator;
  directory: Directory;
  exchange: Exchange;
  appAccess: ExchangeAppAccess;
  patience: Patience;
  retries: { count: number };
}

export const FAST_RETRY: Omit<RetryPolicy, 'clock'> = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 1500 };

export async function startHarness(
  scenario: SimulatorScenario = 'classic',
  options: Partial<TenantSimulatorOptions> & { credential?: (sim: TenantSimulator) => TokenCredential } = {},
): Promise<Harness> {
  const simulator = await startTenantSimulator({
    tenantId: TENANT_ID,
    scenario,
    delays: { exchangeRecipientMs: 150, mailboxMs: 250, replicationMs: 300 },
    ...options,
  });
  const retries = { count: 0 };
  const retry: RetryPolicy = { ...FAST_RETRY, clock: systemClock, onRetry: () => void retries.count++ };
  const credential =
    options.credential?.(simulator) ??
    new SimulatorCredential(
      simulator.authorityHost,
      TENANT_ID,
      simulator.clientCredential.clientId,
      simulator.clientCredential.clientSecret,
    );
  const ports = createTenantPorts(
    {
      tenantId: TENANT_ID,
      graphEndpoint: simulator.graphEndpoint,
      exchangeEndpoint: simulator.exchangeEndpoint,
      credential,
    },
    retry,
  );
  return {
    simulator,
    ...ports,
    retries,
    patience: { clock: systemClock, timeoutMs: 15_000, initialDelayMs: 25, maxDelayMs: 250 },
  };
}

export function spec(overrides: Partial<ServiceAccountSpec> = {}): ServiceAccountSpec {
  return {
    requestId: 'req-0001',
    displayName: 'CiraSync Service',
    username: 'cirasync-svc',
    domain: 'contoso.com',
    usageLocation: 'US',
    contact: { jobTitle: 'Service account', department: 'IT', city: 'Seattle', country: 'United States' },
    publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId },
    ...overrides,
  };
}

/** Committed writes, by what they did: e.g. `POST /v1.0/users` or `New-RoleGroup`. */
export function committedWrites(simulator: TenantSimulator): string[] {
  return simulator
    .calls()
    .filter((call) => call.mutating && call.committed)
    .map(
      (call) => call.cmdlet ?? `${call.method} ${call.path.replace(/\/[0-9a-f-]{36}(?=\/|$)/gi, '/{id}')}`,
    );
}
