/**
 * The admin API's `$batch`: sub-requests run through InvokeCommand's own pipeline (token, faults,
 * cmdlet rights, the call log with `viaBatch`), a failure answered inside its response as
 * InvokeCommand would answer it, the envelope one round trip and not mutating, and more than 10
 * requests or a malformed body refused with a 400 in Exchange's error shape.
 */
import type { TenantSimulator } from '../../src/simulator';
import { exchange, request, startSimulator, tokenFor } from './simulatorHarness';

describe('Exchange admin API $batch', () => {
  let sim: TenantSimulator;
  let token: string;
  let invokeUrl: string;
  let batchUrl: string;

  beforeAll(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, 'https://outlook.office365.com');
    invokeUrl = `${sim.exchangeEndpoint}/adminapi/beta/${sim.tenantId}/InvokeCommand`;
    batchUrl = `${sim.exchangeEndpoint}/adminapi/beta/${sim.tenantId}/$batch`;
  });
  afterAll(async () => sim.close());

  const item = (id: string, cmdlet: string, parameters: Record<string, unknown> = {}) => ({
    id,
    method: 'POST',
    url: invokeUrl,
    body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
    headers: { Authorization: `Bearer ${token}`, 'X-AnchorMailbox': `UPN:${cmdlet}@contoso.com` },
  });

  const post = (body: unknown, bearer = token) =>
    request(batchUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('when two cmdlets are batched, then each answers as InvokeCommand would, failure included, in one round trip', async () => {
    const alone = await exchange(sim, token, 'Get-RoleGroup', { Identity: 'No Such Group' });
    sim.resetCalls();
    const result = await post({
      requests: [
        item('1', 'Get-RoleGroup', { Identity: 'Organization Management' }),
        item('2', 'Get-RoleGroup', { Identity: 'No Such Group' }),
      ],
    });
    expect(result.status).toBe(200);
    const [found, missing] = result.body.responses;
    expect(found).toMatchObject({ id: '1', status: 200 });
    expect(found.body.value.map((row: { Name: string }) => row.Name)).toEqual(['Organization Management']);
    expect(missing.id).toBe('2');
    expect(missing.status).toBe(alone.status);
    expect(missing.status).toBe(404);
    expect(missing.body.error.details[0].message).toBe(alone.body.error.details[0].message);
    expect(missing.body.error.details[0].message).toContain('ManagementObjectNotFoundException');
    expect(sim.roundTrips().exchange).toBe(1);
    const calls = sim.calls().filter((c) => c.api === 'exchange');
    expect(calls.map((c) => [c.path.split('/').pop(), c.cmdlet, c.viaBatch, c.mutating, c.status])).toEqual([
      ['$batch', undefined, false, false, 200],
      ['InvokeCommand', 'Get-RoleGroup', true, false, 200],
      ['InvokeCommand', 'Get-RoleGroup', true, false, 404],
    ]);
    expect(calls[1].anchorMailbox).toBe('UPN:Get-RoleGroup@contoso.com');
  });

  it('when a batched cmdlet changes the tenant, then its own record is mutating and committed, the envelope neither', async () => {
    sim.resetCalls();
    const result = await post({
      requests: [item('a', 'New-RoleGroup', { Name: 'Batch Made', Roles: ['Mail Recipients'] })],
    });
    expect(result.body.responses[0].status).toBe(200);
    expect(sim.state().roleGroups.map((g) => g.name)).toContain('Batch Made');
    const [envelope, sub] = sim.calls().filter((c) => c.api === 'exchange');
    expect([envelope.mutating, envelope.committed]).toEqual([false, false]);
    expect([sub.mutating, sub.committed, sub.viaBatch]).toEqual([true, true, true]);
  });

  it('when a fault is injected for a cmdlet, then it shapes only that sub-request’s answer', async () => {
    sim.faults.inject({
      api: 'exchange',
      cmdlet: 'Get-Mailbox',
      times: 1,
      status: 429,
      retryAfterSeconds: 3,
    });
    const result = await post({
      requests: [item('1', 'Get-Mailbox', { Identity: 'alexw@contoso.com' }), item('2', 'Get-Recipient')],
    });
    expect(result.status).toBe(200);
    expect(result.body.responses[0].status).toBe(429);
    expect(result.body.responses[0].headers['Retry-After']).toBe('3');
    expect(result.body.responses[1].status).toBe(200);
  });

  it('when a sub-request has no token of its own, then it runs with the envelope’s; a bad one is its own 401', async () => {
    const bare = { ...item('1', 'Get-Recipient', { Identity: 'alexw@contoso.com' }), headers: {} };
    const bad = { ...item('2', 'Get-Recipient'), headers: { Authorization: 'Bearer not-a-token' } };
    const result = await post({ requests: [bare, bad] });
    expect(result.body.responses.map((r: { status: number }) => r.status)).toEqual([200, 401]);
  });

  it('when the batch holds 11 requests, then it is refused with a 400 in Exchange’s shape and nothing runs', async () => {
    sim.resetCalls();
    const requests = Array.from({ length: 11 }, (_, i) => item(String(i + 1), 'Get-Recipient'));
    const result = await post({ requests });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('BadRequest');
    expect(result.body.error.message).toBe('Invalid Operation');
    expect(result.body.error.details[0].message).toContain('the maximum is 10');
    expect(sim.calls().filter((c) => c.viaBatch)).toEqual([]);
    const ten = await post({ requests: requests.slice(0, 10) });
    expect(ten.status).toBe(200);
    expect(ten.body.responses).toHaveLength(10);
  });

  it.each([
    ['no requests', {}],
    ['an empty list', { requests: [] }],
    ['a request without a url', { requests: [{ id: '1', method: 'POST', body: {} }] }],
    [
      'a repeated id',
      {
        requests: [
          { ...{ id: '1', method: 'POST', url: 'x', body: {} } },
          { id: '1', method: 'POST', url: 'x', body: {} },
        ],
      },
    ],
  ])('when the body has %s, then it is a 400 in Exchange’s shape', async (_, body) => {
    const result = await post(body);
    expect(result.status).toBe(400);
    expect(result.body.error.innererror.type).toBe(
      'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
    );
  });

  it('when the envelope’s token is not valid, then the whole batch is 401', async () => {
    const result = await post({ requests: [item('1', 'Get-Recipient')] }, 'not-a-token');
    expect(result.status).toBe(401);
  });
});
