/**
 * The admin API's `$batch` through the bot's command client against the simulator: at most 10 cmdlets
 * a round trip, each command answered with its rows or its own `AppError`, in the order asked.
 */
import { SimulatorCredential } from '../../../src/adapters/credentials';
import { ExchangeCommandClient } from '../../../src/adapters/exchange/exchangeCommandClient';
import { AppError, isAppError } from '../../../src/domain/errors';
import { systemClock } from '../../../src/domain/ports';
import { startTenantSimulator, type TenantSimulator } from '../../../src/simulator';
import { FAST_RETRY, TENANT_ID } from '../../support/tenantHarness';

describe('Exchange commands in a $batch', () => {
  let sim: TenantSimulator;
  let client: ExchangeCommandClient;

  beforeAll(async () => {
    sim = await startTenantSimulator({ tenantId: TENANT_ID, scenario: 'classic' });
    client = new ExchangeCommandClient({
      credential: new SimulatorCredential(
        sim.authorityHost,
        TENANT_ID,
        sim.clientCredential.clientId,
        sim.clientCredential.clientSecret,
      ),
      endpoint: sim.exchangeEndpoint,
      tenantId: TENANT_ID,
      retry: { ...FAST_RETRY, clock: systemClock },
    });
  });
  afterAll(async () => sim.close());

  it('when 12 commands are asked, then they go in two round trips (10 and 2) and answer in order', async () => {
    const aliases = ['alexw', 'meganb', 'adelev', 'isaiahl', 'pattif', 'lynner'];
    const commands = [...aliases, ...aliases].map((alias, i) => ({
      cmdlet: 'Get-Recipient',
      parameters: { Identity: i === 11 ? 'nobody@contoso.com' : `${alias}@contoso.com` },
    }));
    sim.resetCalls();
    const results = await client.invokeBatch(commands);
    expect(sim.roundTrips().exchange).toBe(2);
    expect(sim.calls().filter((c) => c.viaBatch)).toHaveLength(12);
    expect(results.slice(0, 11).map((r) => (r instanceof AppError ? r.code : r[0].Alias))).toEqual([
      ...aliases,
      ...aliases.slice(0, 5),
    ]);
    expect(isAppError(results[11], 'NotFound')).toBe(true);
  });

  it('when a cmdlet the app may not run is batched, then that command alone is Forbidden', async () => {
    const results = await client.invokeBatch([
      { cmdlet: 'Get-Recipient', parameters: { Identity: 'alexw@contoso.com' } },
      { cmdlet: 'Remove-Mailbox', parameters: { Identity: 'alexw@contoso.com' } },
    ]);
    expect(Array.isArray(results[0])).toBe(true);
    expect(isAppError(results[1], 'Forbidden')).toBe(true);
  });
});
