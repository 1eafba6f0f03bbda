import { ROLE_IDS, type TenantSimulator } from '../../src/simulator';
import { graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string; message: string }; [key: string]: unknown };
}

describe('Graph $batch', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, sim.graphEndpoint);
    sim.resetCalls();
  });
  afterEach(async () => {
    await sim.close();
  });

  const byId = (responses: BatchResponse[]) =>
    Object.fromEntries(responses.map((response) => [response.id, response]));

  test('when pre-flight reads are batched, then each gets its own response in one round trip', async () => {
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [
        { id: 'domains', method: 'GET', url: '/domains' },
        { id: 'skus', method: 'GET', url: 'subscribedSkus' },
        { id: 'defaults', method: 'GET', url: '/policies/identitySecurityDefaultsEnforcementPolicy' },
        {
          id: 'admins',
          method: 'GET',
          url: `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${ROLE_IDS.globalAdministrator}'`,
        },
        { id: 'missing', method: 'GET', url: '/users/nobody@contoso.com' },
      ],
    });
    expect(result.status).toBe(200);
    const responses = byId(result.body.responses);
    expect(responses.domains.status).toBe(200);
    expect(responses.skus.body?.value).toHaveLength(5);
    expect(responses.defaults.body?.isEnabled).toBe(false);
    expect(responses.admins.body?.value).toHaveLength(2);
    expect(responses.missing.status).toBe(404);
    expect(responses.missing.body?.error?.code).toBe('Request_ResourceNotFound');
    expect(responses.domains.headers['Content-Type']).toContain('application/json');
    expect(sim.roundTrips()).toMatchObject({ graph: 1, total: 1 });
    const calls = sim.calls();
    expect(calls.filter((call) => call.viaBatch)).toHaveLength(5);
    expect(calls.find((call) => !call.viaBatch)).toMatchObject({ path: '/v1.0/$batch', mutating: false });
  });

  test('when a batch holds 21 requests, then Graph refuses the whole batch with 400', async () => {
    const requests = Array.from({ length: 21 }, (_, index) => ({
      id: String(index + 1),
      method: 'GET',
      url: '/domains',
    }));
    const result = await graph(sim, token, 'POST', '/$batch', { requests });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('BadRequest');
    expect(sim.calls().filter((call) => call.viaBatch)).toHaveLength(0);
  });

  test('when a batch holds exactly 20 requests, then all 20 are answered', async () => {
    const requests = Array.from({ length: 20 }, (_, index) => ({
      id: String(index + 1),
      method: 'GET',
      url: '/domains',
    }));
    const result = await graph(sim, token, 'POST', '/$batch', { requests });
    expect(result.body.responses).toHaveLength(20);
  });

  test('when a request depends on a failed one, then it is answered 424 and never runs', async () => {
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [
        {
          id: '1',
          method: 'POST',
          url: '/users',
          headers: { 'Content-Type': 'application/json' },
          body: newUserBody('alexw'),
        },
        {
          id: '2',
          method: 'PATCH',
          url: '/users/alexw@contoso.com',
          dependsOn: ['1'],
          headers: { 'Content-Type': 'application/json' },
          body: { jobTitle: 'Should not change' },
        },
      ],
    });
    const responses = byId(result.body.responses);
    expect(responses['1'].status).toBe(400);
    expect(responses['2'].status).toBe(424);
    expect(sim.state().users.find((user) => user.mailNickname === 'alexw')?.jobTitle).toBe(
      'Marketing Assistant',
    );
    expect(sim.mutatingCalls().map((call) => call.status)).toEqual([400, 424]);
  });

  test('when requests depend on one another, then they run in dependency order even if listed backwards', async () => {
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [
        {
          id: 'read',
          method: 'GET',
          url: '/users/svc-batch@contoso.com?$select=jobTitle',
          dependsOn: ['create'],
        },
        {
          id: 'create',
          method: 'POST',
          url: '/users',
          headers: { 'Content-Type': 'application/json' },
          body: newUserBody('svc-batch', { jobTitle: 'Batch' }),
        },
      ],
    });
    const responses = byId(result.body.responses);
    expect(responses.create.status).toBe(201);
    expect(responses.read.status).toBe(200);
    expect(responses.read.body?.jobTitle).toBe('Batch');
    expect(result.body.responses.map((response: BatchResponse) => response.id)).toEqual(['create', 'read']);
  });

  test('when dependsOn names a request not in the batch, then the batch is refused', async () => {
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: '/domains', dependsOn: ['7'] }],
    });
    expect(result.status).toBe(400);
  });

  test('when a batched request with a body has no Content-Type, then that request alone is refused', async () => {
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [
        { id: '1', method: 'POST', url: '/users', body: newUserBody('svc-no-type') },
        { id: '2', method: 'GET', url: '/domains' },
      ],
    });
    const responses = byId(result.body.responses);
    expect(responses['1'].status).toBe(400);
    expect(responses['2'].status).toBe(200);
    expect(sim.state().users.some((user) => user.mailNickname === 'svc-no-type')).toBe(false);
  });

  test('when the batch has no valid token, then the envelope is answered 401 and nothing runs', async () => {
    const result = await graph(sim, 'not-a-token', 'POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: '/domains' }],
    });
    expect(result.status).toBe(401);
    expect(sim.calls().filter((call) => call.viaBatch)).toHaveLength(0);
  });
});
