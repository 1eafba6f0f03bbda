import { SKUS, type TenantSimulator } from '../../src/simulator';
import { graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

interface SkuView {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
  servicePlans: Array<{ servicePlanName: string }>;
}

describe('Graph licences', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, sim.graphEndpoint);
  });
  afterEach(async () => {
    await sim.close();
  });

  async function sku(partNumber: string): Promise<SkuView> {
    const result = await graph(sim, token, 'GET', '/subscribedSkus');
    return (result.body.value as SkuView[]).find(
      (candidate) => candidate.skuPartNumber === partNumber,
    ) as SkuView;
  }

  async function createUser(alias: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const created = await graph(sim, token, 'POST', '/users', newUserBody(alias, overrides));
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  test('when subscribed SKUs are listed, then each has Graph’s shape with seats and service plans', async () => {
    const result = await graph(sim, token, 'GET', '/subscribedSkus');
    expect(result.status).toBe(200);
    expect(result.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#subscribedSkus`);
    const parts = (result.body.value as SkuView[]).map((item) => item.skuPartNumber);
    expect(parts).toEqual(['EXCHANGESTANDARD', 'EXCHANGEDESKLESS', 'SPE_F1', 'M365_F1', 'ENTERPRISEPACK']);
    const exchangeStandard = result.body.value[0];
    expect(exchangeStandard).toMatchObject({
      skuId: SKUS.EXCHANGESTANDARD.skuId,
      capabilityStatus: 'Enabled',
      appliesTo: 'User',
      id: `${sim.tenantId}_${SKUS.EXCHANGESTANDARD.skuId}`,
      prepaidUnits: { enabled: 5, suspended: 0, warning: 0, lockedOut: 0 },
      consumedUnits: 2,
    });
    expect(exchangeStandard.servicePlans[0]).toEqual({
      servicePlanId: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
      servicePlanName: 'EXCHANGE_S_STANDARD',
      provisioningStatus: 'Success',
      appliesTo: 'User',
    });
    expect((await sku('M365_F1')).servicePlans.map((plan) => plan.servicePlanName)).not.toContain(
      'EXCHANGE_S_DESKLESS',
    );
  });

  test('when a licence is assigned, then Graph returns the user, the licence is held and one more seat is consumed', async () => {
    const id = await createUser('svc-licensed');
    const before = (await sku('EXCHANGESTANDARD')).consumedUnits;
    const result = await graph(sim, token, 'POST', `/users/${id}/assignLicense`, {
      addLicenses: [{ skuId: SKUS.EXCHANGESTANDARD.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    expect(result.status).toBe(200);
    expect(result.body.id).toBe(id);
    expect(result.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users/$entity`);
    expect((await sku('EXCHANGESTANDARD')).consumedUnits).toBe(before + 1);
    const licences = await graph(sim, token, 'GET', `/users/${id}?$select=assignedLicenses`);
    expect(licences.body.assignedLicenses).toEqual([
      { disabledPlans: [], skuId: SKUS.EXCHANGESTANDARD.skuId },
    ]);
  });

  test('when the same licence is assigned twice, then no second seat is consumed', async () => {
    const id = await createUser('svc-twice');
    const body = { addLicenses: [{ skuId: SKUS.SPE_F1.skuId }], removeLicenses: [] };
    await graph(sim, token, 'POST', `/users/${id}/assignLicense`, body);
    const after = (await sku('SPE_F1')).consumedUnits;
    expect((await graph(sim, token, 'POST', `/users/${id}/assignLicense`, body)).status).toBe(200);
    expect((await sku('SPE_F1')).consumedUnits).toBe(after);
  });

  test('when the user has no usage location, then Graph refuses with its invalid-usage-location message', async () => {
    const id = await createUser('svc-nowhere', { usageLocation: undefined });
    const result = await graph(sim, token, 'POST', `/users/${id}/assignLicense`, {
      addLicenses: [{ skuId: SKUS.EXCHANGESTANDARD.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({
      code: 'Request_BadRequest',
      message: 'License assignment cannot be done for user with invalid usage location.',
    });
    expect(sim.state().users.find((user) => user.id === id)?.assignedLicenses).toEqual([]);
  });

  test('when the SKU is unknown, then Graph says the licence is not a valid company licence', async () => {
    const id = await createUser('svc-unknown-sku');
    const result = await graph(sim, token, 'POST', `/users/${id}/assignLicense`, {
      addLicenses: [{ skuId: '11111111-2222-4333-8444-555555555555' }],
      removeLicenses: [],
    });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe(
      'License 11111111-2222-4333-8444-555555555555 does not correspond to a valid company License.',
    );
  });

  test('when the SKU has no free seat, then Graph says the subscription has no available licences', async () => {
    const id = await createUser('svc-no-seat');
    const kiosk = { addLicenses: [{ skuId: SKUS.EXCHANGEDESKLESS.skuId }], removeLicenses: [] };
    await graph(sim, token, 'POST', `/users/alexw@contoso.com/assignLicense`, kiosk);
    await graph(sim, token, 'POST', `/users/meganb@contoso.com/assignLicense`, kiosk);
    const result = await graph(sim, token, 'POST', `/users/${id}/assignLicense`, kiosk);
    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe(
      `Subscription with SKU ${SKUS.EXCHANGEDESKLESS.skuId} does not have any available licenses.`,
    );
  });

  test('when removeLicenses is missing, then Graph names the missing parameter', async () => {
    const result = await graph(sim, token, 'POST', '/users/alexw@contoso.com/assignLicense', {
      addLicenses: [{ skuId: SKUS.SPE_F1.skuId }],
    });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toContain('The missing parameters are: removeLicenses.');
  });

  test('when a licence is removed, then the seat is freed', async () => {
    const before = (await sku('ENTERPRISEPACK')).consumedUnits;
    const result = await graph(sim, token, 'POST', '/users/pattif@contoso.com/assignLicense', {
      addLicenses: [],
      removeLicenses: [SKUS.ENTERPRISEPACK.skuId],
    });
    expect(result.status).toBe(200);
    expect((await sku('ENTERPRISEPACK')).consumedUnits).toBe(before - 1);
  });
});
