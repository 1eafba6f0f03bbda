import type { TenantSimulator } from '../../src/simulator';
import { exchange, startSimulator, tokenFor } from './simulatorHarness';

describe('Exchange admin API (InvokeCommand)', () => {
  let sim: TenantSimulator;
  let graphToken: string;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator({ pageSize: 3 });
    graphToken = await tokenFor(sim, 'https://graph.microsoft.com');
    token = await tokenFor(sim, 'https://outlook.office365.com');
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when ApplicationImpersonation is asked for in the classic tenant, then the role comes back in the admin API envelope', async () => {
    const result = await exchange(sim, token, 'Get-ManagementRole', { Identity: 'ApplicationImpersonation' });
    expect(result.status).toBe(200);
    expect(result.body['@odata.context']).toBe(
      `${sim.url}/adminapi/beta/${sim.tenantId}/$metadata#Collection(Exchange.GenericHashTable)`,
    );
    expect(result.body['adminapi.warnings@odata.type']).toBe('#Collection(String)');
    expect(result.body.value).toEqual([
      expect.objectContaining({ Name: 'ApplicationImpersonation', RoleType: 'ApplicationImpersonation' }),
    ]);
  });

  test('when a role group is missing, then the error has Exchange’s shape with the prefixed detail and internalexception', async () => {
    const result = await exchange(sim, token, 'Get-RoleGroup', { Identity: 'App Impersonation' });
    expect(result.status).toBe(404);
    const message =
      "The operation couldn't be performed because object 'App Impersonation' couldn't be found on 'SIMPR01A001DC01.SIMPR01A001.PROD.OUTLOOK.COM'.";
    expect(result.body.error.code).toBe('NotFound');
    expect(result.body.error.message).toBe('Invalid Operation');
    expect(result.body.error.details[0]).toEqual({
      code: 'Client',
      target: '',
      message: `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|${message}`,
    });
    // An Exchange task's error: the internal exception is the generic wrapper, the type is in details.
    expect(result.body.error.innererror.internalexception.type).toBe(
      'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException',
    );
  });

  test('when a user has no public-folder permission entry, then Exchange answers 400 (not 404) naming UserNotFoundInPermissionEntryException', async () => {
    const result = await exchange(sim, token, 'Get-PublicFolderClientPermission', {
      Identity: '\\',
      User: 'alexw@contoso.com',
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({
      code: 'BadRequest',
      message: 'Invalid Operation',
      details: [
        {
          code: 'Client',
          target: '',
          message: expect.stringMatching(
            /^Ex[0-9A-F]{6}\|Microsoft\.Exchange\.Management\.StoreTasks\.UserNotFoundInPermissionEntryException\|There is no existing permission entry found for user: Alex Wilber\.$/,
          ),
        },
      ],
      innererror: {
        message: 'Invalid Operation',
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        internalexception: { type: expect.any(String) },
      },
      '@adminapi.warnings': [],
    });
  });

  test('when all role groups are listed with a small page size, then the nextLink (same body) returns the rest', async () => {
    const first = await exchange(sim, token, 'Get-RoleGroup');
    expect(first.body.value).toHaveLength(3);
    await exchange(sim, token, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: ['ApplicationImpersonation'],
    });
    const again = await exchange(sim, token, 'Get-RoleGroup');
    expect(again.body.value).toHaveLength(3);
    const next = await exchange(sim, token, 'Get-RoleGroup', {}, { url: again.body['@odata.nextLink'] });
    expect(next.body.value.map((group: { Name: string }) => group.Name)).toEqual(['App Impersonation']);
    expect(next.body['@odata.nextLink']).toBeUndefined();
  });

  test('when an unknown cmdlet is run, then Exchange says the term is not recognised', async () => {
    const result = await exchange(sim, token, 'New-ApplicationAccessPolicy', {
      AccessRight: 'RestrictAccess',
    });
    expect(result.status).toBe(400);
    expect(result.body.error.innererror.internalexception.message).toMatch(
      /^The term 'New-ApplicationAccessPolicy' is not recognized as a name of a cmdlet/,
    );
  });

  test('when a mandatory parameter is missing or an unknown one is given, then the admin API’s parameter errors come back', async () => {
    const missing = await exchange(sim, token, 'Add-RoleGroupMember', {
      Identity: 'Organization Management',
    });
    expect(missing.body.error.innererror.internalexception.message).toBe(
      'Cannot process command because of one or more missing mandatory parameters: Member.',
    );
    const unknown = await exchange(sim, token, 'Get-RoleGroup', { Idenity: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.innererror.internalexception).toMatchObject({
      type: 'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
      message:
        'Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. Idenity',
    });
    expect(unknown.body.error.details[0].message).toMatch(/^\|Microsoft\.Exchange\.AdminApi\./);
  });

  test('when the app lacks Exchange.ManageAsApp, then Exchange answers 403 with an empty body', async () => {
    sim.registerClient({
      clientId: 'b1c2d3e4-0000-4000-8000-000000000001',
      secret: 's3cret',
      exchangeRoles: [],
    });
    const weak = await tokenFor(sim, 'https://outlook.office365.com', {
      clientId: 'b1c2d3e4-0000-4000-8000-000000000001',
      clientSecret: 's3cret',
    });
    const result = await exchange(sim, weak, 'Get-RoleGroup');
    expect(result.status).toBe(403);
    expect(result.body).toBeUndefined();
  });

  test('when the app holds only View-Only Recipients, then the role-group cmdlets are not recognized in its session, Get-Recipient runs', async () => {
    sim.registerClient({
      clientId: 'b1c2d3e4-0000-4000-8000-000000000004',
      secret: 's3cret',
      exchangeManagementRoles: ['View-Only Recipients'],
    });
    const reader = await tokenFor(sim, 'https://outlook.office365.com', {
      clientId: 'b1c2d3e4-0000-4000-8000-000000000004',
      clientSecret: 's3cret',
    });
    const refused = await exchange(sim, reader, 'New-RoleGroup', { Name: 'Helpers' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.innererror.internalexception.message).toMatch(
      /^The term 'New-RoleGroup' is not recognized as a name of a cmdlet/,
    );
    expect(sim.state().roleGroups.some((group) => group.name === 'Helpers')).toBe(false);
    expect((await exchange(sim, reader, 'Get-Recipient', { Identity: 'alexw' })).status).toBe(200);
  });

  test('when a Graph-audience token is sent to Exchange, then Exchange answers 401', async () => {
    const result = await exchange(sim, graphToken, 'Get-RoleGroup');
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toContain('invalid_token');
  });

  test('when a cmdlet runs, then the call log records its name, the anchor mailbox and whether it mutates', async () => {
    await exchange(sim, token, 'Get-RoleGroup');
    await exchange(sim, token, 'New-RoleGroup', { Name: 'Helpers' });
    const calls = sim.calls().filter((call) => call.api === 'exchange');
    expect(calls.map((call) => [call.cmdlet, call.mutating, call.committed])).toEqual([
      ['Get-RoleGroup', false, false],
      ['New-RoleGroup', true, true],
    ]);
    expect(calls[0].anchorMailbox).toBe(
      `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${sim.tenantId}`,
    );
  });
});
