import type { TenantSimulator } from '../../src/simulator';
import { exchange, graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

describe('fault injection', () => {
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

  test('when a 429 with Retry-After is injected once, then the first request is throttled and the retry succeeds', async () => {
    const handle = sim.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: /^\/v1\.0\/domains$/,
      times: 1,
      status: 429,
      retryAfterSeconds: 7,
    });
    const first = await graph(sim, token, 'GET', '/domains');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.body.error.code).toBe('TooManyRequests');
    expect(handle.remaining()).toBe(0);
    expect((await graph(sim, token, 'GET', '/domains')).status).toBe(200);
    expect(sim.calls().map((call) => call.fault)).toEqual(['injected 429', undefined]);
  });

  test('when a 503 is injected for two requests, then exactly two fail with Graph’s error shape', async () => {
    sim.faults.inject({ api: 'graph', times: 2, status: 503 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await graph(sim, token, 'GET', '/users/alexw@contoso.com')).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sim.faults.pending()).toBe(0);
  });

  test('when a 504 after commit is injected on user creation, then the client sees 504 but the user exists and a retry conflicts', async () => {
    sim.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /\/users$/,
      times: 1,
      status: 504,
      afterCommit: true,
    });
    const first = await graph(sim, token, 'POST', '/users', newUserBody('svc-ghost'));
    expect(first.status).toBe(504);
    expect(first.body.error.code).toBe('GatewayTimeout');
    expect(sim.state().users.some((user) => user.userPrincipalName === 'svc-ghost@contoso.com')).toBe(true);
    const retry = await graph(sim, token, 'POST', '/users', newUserBody('svc-ghost'));
    expect(retry.status).toBe(400);
    expect(retry.body.error.details[0].code).toBe('ObjectConflict');
    expect(sim.mutatingCalls().map((call) => [call.status, call.committed])).toEqual([
      [504, true],
      [400, false],
    ]);
  });

  test('when a 404 is injected for a fresh user, then Graph says it does not exist although it does, once', async () => {
    const created = await graph(sim, token, 'POST', '/users', newUserBody('svc-fresh'));
    sim.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: new RegExp(`/users/${created.body.id}$`),
      times: 1,
      status: 404,
    });
    const missing = await graph(sim, token, 'GET', `/users/${created.body.id}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    expect(missing.body.error.message).toContain(created.body.id);
    expect((await graph(sim, token, 'GET', `/users/${created.body.id}`)).status).toBe(200);
  });

  test('when a 404 is injected on a role assignment, then the error names the principal, as for a not-yet-replicated user', async () => {
    sim.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /roleAssignments$/,
      times: 1,
      status: 404,
    });
    const result = await graph(sim, token, 'POST', '/roleManagement/directory/roleAssignments', {
      roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
      principalId: '00000000-0000-0000-0000-0000000000023',
      directoryScopeId: '/',
    });
    expect(result.status).toBe(404);
    expect(result.body.error.message).toContain("'00000000-0000-0000-0000-0000000000023'");
    expect(
      sim
        .state()
        .roleAssignments.some(
          (assignment) => assignment.principalId === '00000000-0000-0000-0000-0000000000023',
        ),
    ).toBe(false);
  });

  test('when an Exchange cmdlet fault is injected, then only that cmdlet fails, in Exchange’s error shape', async () => {
    const exchangeToken = await tokenFor(sim, sim.exchangeEndpoint);
    sim.faults.inject({ api: 'exchange', cmdlet: 'new-rolegroup', times: 1, status: 504, afterCommit: true });
    expect((await exchange(sim, exchangeToken, 'Get-RoleGroup')).status).toBe(200);
    const created = await exchange(sim, exchangeToken, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: 'ApplicationImpersonation',
    });
    expect(created.status).toBe(504);
    expect(created.body.error.details[0].code).toBe('Client');
    expect(
      (await exchange(sim, exchangeToken, 'Get-RoleGroup', { Identity: 'App Impersonation' })).status,
    ).toBe(200);
  });

  test('when an Exchange 404 is injected, then the not-found error names the identity asked for', async () => {
    const exchangeToken = await tokenFor(sim, sim.exchangeEndpoint);
    sim.faults.inject({ api: 'exchange', cmdlet: 'Get-Recipient', times: 1, status: 404 });
    const result = await exchange(sim, exchangeToken, 'Get-Recipient', { Identity: 'alexw@contoso.com' });
    expect(result.status).toBe(404);
    expect(result.body.error.details[0].message).toContain("object 'alexw@contoso.com' couldn't be found");
  });

  test('when a token-endpoint fault is injected, then the token request fails in Entra’s shape with Retry-After', async () => {
    sim.faults.inject({ api: 'token', times: 1, status: 503, retryAfterSeconds: 2 });
    const response = await fetch(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({}),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(((await response.json()) as { error: string }).error).toBe('temporarily_unavailable');
  });

  test('when a delay is injected, then the answer waits for it', async () => {
    sim.faults.inject({ api: 'graph', times: 1, delayMs: 300 });
    const started = Date.now();
    expect((await graph(sim, token, 'GET', '/domains')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  test('when the simulator closes during a long injected delay, then close does not wait for the delay', async () => {
    sim.faults.inject({ api: 'graph', times: Infinity, delayMs: 30_000 });
    const pending = graph(sim, token, 'GET', '/domains').catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await pending).toMatchObject({ message: 'fetch failed' });
  });

  test('when faults are cleared, then nothing fails any more', async () => {
    sim.faults.inject({ api: 'graph', times: Infinity, status: 500 });
    expect((await graph(sim, token, 'GET', '/domains')).status).toBe(500);
    sim.faults.clear();
    expect((await graph(sim, token, 'GET', '/domains')).status).toBe(200);
  });

  test('when a fault names no status, afterCommit or delay, then inject refuses it', () => {
    expect(() => sim.faults.inject({ api: 'graph', times: 1 })).toThrow(/status/);
    expect(() => sim.faults.inject({ api: 'graph', times: 0, status: 500 })).toThrow(/times/);
  });

  test('when a faulted request is inside a $batch, then only that sub-request fails', async () => {
    sim.faults.inject({
      api: 'graph',
      pathPattern: /subscribedSkus/,
      times: 1,
      status: 429,
      retryAfterSeconds: 3,
    });
    const result = await graph(sim, token, 'POST', '/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/domains' },
        { id: 'b', method: 'GET', url: '/subscribedSkus' },
      ],
    });
    expect(result.status).toBe(200);
    const b = result.body.responses.find((response: { id: string }) => response.id === 'b');
    expect(b.status).toBe(429);
    expect(b.headers['Retry-After']).toBe('3');
  });
});
