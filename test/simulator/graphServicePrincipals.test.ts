import {
  CIRASYNC_SERVICE_PRINCIPAL,
  DISABLED_SERVICE_PRINCIPAL,
  type TenantSimulator,
} from '../../src/simulator';
import { graph, startSimulator, tokenFor } from './simulatorHarness';

const CIRASYNC = CIRASYNC_SERVICE_PRINCIPAL;

describe('Graph enterprise applications (/servicePrincipals)', () => {
  let sim: TenantSimulator;
  let token: string;
  let graphToken: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, 'https://outlook.office365.com');
    graphToken = await tokenFor(sim, 'https://graph.microsoft.com');
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when a service principal is looked up by appId, then Graph lists the enterprise application with its object id', async () => {
    const found = await graph(
      sim,
      graphToken,
      'GET',
      `/servicePrincipals?$filter=appId eq '${CIRASYNC.appId}'&$select=id,appId,displayName,accountEnabled`,
    );
    expect(found.status).toBe(200);
    expect(found.body.value).toEqual([
      { id: CIRASYNC.id, appId: CIRASYNC.appId, displayName: 'CiraSync', accountEnabled: true },
    ]);
  });

  test('when no service principal has the appId, then Graph answers an empty collection, and a disabled one shows accountEnabled false', async () => {
    const absent = await graph(
      sim,
      graphToken,
      'GET',
      "/servicePrincipals?$filter=appId eq '00000000-1111-4222-8333-444444444444'",
    );
    expect(absent.status).toBe(200);
    expect(absent.body.value).toEqual([]);
    const disabled = await graph(
      sim,
      graphToken,
      'GET',
      `/servicePrincipals/${DISABLED_SERVICE_PRINCIPAL.id}`,
    );
    expect(disabled.body).toMatchObject({ appId: DISABLED_SERVICE_PRINCIPAL.appId, accountEnabled: false });
    const unknown = await graph(
      sim,
      graphToken,
      'GET',
      '/servicePrincipals/00000000-1111-4222-8333-444444444444',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('Request_ResourceNotFound');
  });

  test('when an app registered with the simulator signs in, then its enterprise application carries its token’s oid', async () => {
    const [, payload] = token.split('.');
    const oid = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).oid;
    const own = await graph(
      sim,
      graphToken,
      'GET',
      `/servicePrincipals?$filter=appId eq '${sim.clientCredential.clientId}'`,
    );
    expect(own.body.value.map((principal: { id: string }) => principal.id)).toEqual([oid]);
    sim.registerClient({ clientId: 'c0ffee00-0000-4000-8000-000000000003', secret: 's3cret' });
    const registered = await graph(
      sim,
      graphToken,
      'GET',
      "/servicePrincipals?$filter=appId eq 'c0ffee00-0000-4000-8000-000000000003'",
    );
    expect(registered.body.value).toEqual([
      expect.objectContaining({ displayName: 'Simulated app', accountEnabled: true }),
    ]);
  });
});
