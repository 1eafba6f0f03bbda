import {
  APPLICATION_ROLES,
  CIRASYNC_SERVICE_PRINCIPAL,
  DISABLED_SERVICE_PRINCIPAL,
  type TenantSimulator,
} from '../../src/simulator';
import type { SimulatorScenario } from '../../src/simulator/scenarios';
import {
  exchange,
  exchangeErrorText,
  FAST_DELAYS,
  graph,
  newUserBody,
  startSimulator,
  tokenFor,
  type HttpResult,
} from './simulatorHarness';

const CIRASYNC = CIRASYNC_SERVICE_PRINCIPAL;
const NOT_FOUND = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
const ALREADY_EXISTS = 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException';
const BINDING = 'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterBindingException';
const REQUESTERS_DN =
  'CN=Service account requesters,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM';

/** `details[0].message` split into ErrorId, exception type and text. */
function failure(result: HttpResult): { status: number; errorId: string; type: string; text: string } {
  const [errorId, type] = result.body.error.details[0].message.split('|');
  return { status: result.status, errorId, type, text: exchangeErrorText(result.body) };
}

describe('RBAC for Applications in the simulated Exchange Online', () => {
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

  const run = (cmdlet: string, parameters: Record<string, unknown> = {}) =>
    exchange(sim, token, cmdlet, parameters);
  const registerCiraSync = () =>
    run('New-ServicePrincipal', {
      AppId: CIRASYNC.appId,
      ObjectId: CIRASYNC.id,
      DisplayName: 'CiraSync',
    });
  const newScope = (name: string, filter: string) =>
    run('New-ManagementScope', { Name: name, RecipientRestrictionFilter: filter });
  const assign = (parameters: Record<string, unknown>) =>
    run('New-ManagementRoleAssignment', { App: CIRASYNC.id, ...parameters });

  describe('Get-ServicePrincipal and New-ServicePrincipal', () => {
    test('when the app has no Exchange service principal yet, then Get-ServicePrincipal is ManagementObjectNotFoundException (404)', async () => {
      expect(failure(await run('Get-ServicePrincipal', { Identity: CIRASYNC.appId }))).toEqual({
        status: 404,
        errorId: 'Ex6F9304',
        type: NOT_FOUND,
        text: `The operation couldn't be performed because object '${CIRASYNC.appId}' couldn't be found on 'SIMPR01A001DC01.SIMPR01A001.PROD.OUTLOOK.COM'.`,
      });
      expect((await run('Get-ServicePrincipal')).body.value).toEqual([]);
    });

    test('when New-ServicePrincipal names the enterprise application, then Exchange points at it and finds it by AppId, ObjectId and display name', async () => {
      const created = await registerCiraSync();
      expect(created.status).toBe(200);
      const row = {
        Name: CIRASYNC.id,
        Identity: CIRASYNC.id,
        DisplayName: 'CiraSync',
        AppId: CIRASYNC.appId,
        ObjectId: CIRASYNC.id,
        ServiceId: CIRASYNC.id,
      };
      expect(created.body.value).toEqual([expect.objectContaining(row)]);
      for (const identity of [CIRASYNC.appId, CIRASYNC.id, 'cirasync']) {
        const found = await run('Get-ServicePrincipal', { Identity: identity });
        expect(found.body.value).toEqual([expect.objectContaining(row)]);
      }
      expect(sim.state().exchangeServicePrincipals).toEqual([
        expect.objectContaining({ appId: CIRASYNC.appId, objectId: CIRASYNC.id }),
      ]);
    });

    test('when the deprecated -ServiceId names the object id, then New-ServicePrincipal accepts it', async () => {
      const created = await run('New-ServicePrincipal', { AppId: CIRASYNC.appId, ServiceId: CIRASYNC.id });
      expect(created.status).toBe(200);
      expect(created.body.value[0]).toMatchObject({ ObjectId: CIRASYNC.id, DisplayName: 'CiraSync' });
    });

    test('when the service principal already exists for the AppId, then New-ServicePrincipal is ADObjectAlreadyExistsException (400) and nothing is added', async () => {
      await registerCiraSync();
      const again = failure(await registerCiraSync());
      expect(again).toMatchObject({ status: 400, type: ALREADY_EXISTS });
      expect(again.text).toMatch(
        new RegExp(`The object 'CN=${CIRASYNC.id},OU=contoso\\.onmicrosoft\\.com,.*' already exists\\.$`),
      );
      expect(sim.state().exchangeServicePrincipals).toHaveLength(1);
    });

    test('when the ObjectId is not the enterprise application of that AppId, then New-ServicePrincipal fails with AADServicePrincipalNotFound (400)', async () => {
      const wrongObject = await run('New-ServicePrincipal', {
        AppId: CIRASYNC.appId,
        ObjectId: 'f00dbabe-0000-4000-8000-000000000001',
      });
      expect(failure(wrongObject)).toMatchObject({ status: 400 });
      expect(failure(wrongObject).text).toMatch(
        /^AADServicePrincipalNotFound\. No ServicePrincipal with Object Id 'f00dbabe-0000-4000-8000-000000000001'/,
      );
      const mismatched = await run('New-ServicePrincipal', {
        AppId: CIRASYNC.appId,
        ObjectId: DISABLED_SERVICE_PRINCIPAL.id,
      });
      expect(failure(mismatched).text).toMatch(/^AADServicePrincipalNotFound\./);
      expect(sim.state().exchangeServicePrincipals).toEqual([]);
    });

    test('when the object id is missing, then the admin API reports the missing mandatory parameter', async () => {
      const missing = await run('New-ServicePrincipal', { AppId: CIRASYNC.appId });
      expect(missing.status).toBe(400);
      expect(missing.body.error.innererror.internalexception).toMatchObject({
        type: BINDING,
        message: 'Cannot process command because of one or more missing mandatory parameters: ObjectId.',
      });
    });
  });

  describe('Get-ManagementScope and New-ManagementScope', () => {
    test('when a scope is created with a group name, then Exchange stores the filter with the group’s DN and lists the scope', async () => {
      const created = await newScope(
        'CiraSync requesters',
        "MemberOfGroup -eq 'Service account requesters' -and RecipientTypeDetails -eq 'UserMailbox'",
      );
      expect(created.status).toBe(200);
      const filter = `((MemberOfGroup -eq '${REQUESTERS_DN}') -and (RecipientTypeDetails -eq 'UserMailbox'))`;
      expect(created.body.value[0]).toMatchObject({
        Name: 'CiraSync requesters',
        ScopeRestrictionType: 'RecipientScope',
        RecipientFilter: filter,
      });
      const found = await run('Get-ManagementScope', { Identity: 'CiraSync requesters' });
      expect(found.body.value).toEqual([expect.objectContaining({ RecipientFilter: filter })]);
      expect((await run('Get-ManagementScope', { Identity: 'CiraSync*' })).body.value).toHaveLength(1);
    });

    test('when the scope does not exist, then Get-ManagementScope is ManagementObjectNotFoundException (404)', async () => {
      expect(failure(await run('Get-ManagementScope', { Identity: 'CiraSync users' }))).toMatchObject({
        status: 404,
        type: NOT_FOUND,
      });
    });

    test('when the scope name is taken, then New-ManagementScope is ADObjectAlreadyExistsException (400)', async () => {
      await newScope('CiraSync users', "CustomAttribute1 -eq 'CiraSync'");
      const again = failure(await newScope('CiraSync users', "Department -eq 'Sales'"));
      expect(again).toMatchObject({ status: 400, type: ALREADY_EXISTS });
      expect(again.text).toMatch(/The object 'CN=CiraSync users,CN=Scopes,CN=RBAC,.*' already exists\.$/);
      expect(sim.state().managementScopes).toHaveLength(1);
    });

    test('when the filter is not valid OPATH, then New-ManagementScope answers Exchange’s invalid filter syntax (400) and creates nothing', async () => {
      const broken = await newScope('Broken', "Department -eq 'Sales' -and");
      expect(broken.status).toBe(400);
      expect(broken.body.error.details[0].message.split('|')[1]).toBe(BINDING);
      expect(exchangeErrorText(broken.body)).toMatch(
        /^Cannot bind parameter 'RecipientRestrictionFilter' to the target\. Exception setting "RecipientRestrictionFilter": "Invalid filter syntax\. For a description of the filter parameter syntax see the command help\.\r\n"Department -eq 'Sales' -and" at position 28\."$/,
      );
      const unquoted = await newScope('Broken', "Department = 'Sales'");
      expect(exchangeErrorText(unquoted.body)).toMatch(/Invalid filter syntax.* at position 12\."$/s);
      const unknown = await newScope('Broken', "FavouriteColour -eq 'blue'");
      expect(exchangeErrorText(unknown.body)).toMatch(
        /""FavouriteColour" is not a recognized filterable property\./,
      );
      expect(sim.state().managementScopes).toEqual([]);
    });
  });

  describe('New-ManagementRoleAssignment -App and Get-ManagementRoleAssignment -RoleAssignee', () => {
    test('when an application role is assigned in a scope, then the row names the app, the role and the scope, and -RoleAssignee lists it', async () => {
      await registerCiraSync();
      await newScope('CiraSync users', "CustomAttribute1 -eq 'CiraSync'");
      const created = await assign({
        Role: 'Application Contacts.ReadWrite',
        CustomResourceScope: 'CiraSync users',
      });
      expect(created.status).toBe(200);
      const row = {
        // Exchange's made-up name: <Role>-<assignee>, cut to 64 characters.
        Name: `Application Contacts.ReadWrite-${CIRASYNC.id}`.slice(0, 64),
        Role: 'Application Contacts.ReadWrite',
        RoleAssigneeName: CIRASYNC.id,
        RoleAssigneeType: 'ServicePrincipal',
        CustomResourceScope: 'CiraSync users',
        RecipientWriteScope: 'CustomRecipientScope',
        Enabled: true,
      };
      expect(created.body.value).toEqual([expect.objectContaining(row)]);
      for (const assignee of [CIRASYNC.appId, CIRASYNC.id, 'CiraSync']) {
        const listed = await run('Get-ManagementRoleAssignment', { RoleAssignee: assignee });
        expect(listed.body.value).toEqual([expect.objectContaining(row)]);
      }
      const byRole = await run('Get-ManagementRoleAssignment', {
        Role: 'Application Contacts.ReadWrite',
        GetEffectiveUsers: true,
      });
      expect(byRole.body.value.map((r: { RoleAssigneeName: string }) => r.RoleAssigneeName)).toEqual([
        'Organization Management',
        CIRASYNC.id,
      ]);
    });

    test('when the app has no Exchange service principal, then the assignment and the -RoleAssignee check are ManagementObjectNotFoundException (404)', async () => {
      expect(failure(await assign({ Role: 'Application Mail.Read' }))).toMatchObject({
        status: 404,
        type: NOT_FOUND,
      });
      expect(
        failure(await run('Get-ManagementRoleAssignment', { RoleAssignee: CIRASYNC.appId })),
      ).toMatchObject({ status: 404, type: NOT_FOUND });
      expect(sim.state().appRoleAssignments).toEqual([]);
    });

    test('when the role is not an application role, then -App refuses it (400); an unknown role or scope is not found (404)', async () => {
      await registerCiraSync();
      const adminRole = failure(await assign({ Role: 'Mail Recipients' }));
      expect(adminRole).toMatchObject({ status: 400, type: 'System.ArgumentException' });
      expect(adminRole.text).toMatch(/^The role "Mail Recipients" isn't an application role\./);
      expect(failure(await assign({ Role: 'Application Mail.Explode' }))).toMatchObject({
        status: 404,
        type: NOT_FOUND,
      });
      expect(
        failure(await assign({ Role: 'Application Mail.Read', CustomResourceScope: 'Nowhere' })),
      ).toMatchObject({ status: 404, type: NOT_FOUND });
      expect(sim.state().appRoleAssignments).toEqual([]);
    });

    test('when the same assignment is made again without -Name, then Exchange makes a second one named …-1; a taken -Name is ADObjectAlreadyExistsException (400)', async () => {
      await registerCiraSync();
      await assign({ Role: 'Application Mail.Read' });
      const repeat = await assign({ Role: 'Application Mail.Read' });
      expect(repeat.body.value[0].Name).toBe(`Application Mail.Read-${CIRASYNC.id}-1`);
      expect(sim.state().appRoleAssignments).toHaveLength(2);
      await assign({ Role: 'Application Mail.Send', Name: 'CiraSync send' });
      expect(failure(await assign({ Role: 'Application Mail.Send', Name: 'CiraSync send' }))).toMatchObject({
        status: 400,
        type: ALREADY_EXISTS,
      });
      expect(sim.state().appRoleAssignments).toHaveLength(3);
    });
  });

  describe('Test-ServicePrincipalAuthorization', () => {
    beforeEach(async () => {
      await registerCiraSync();
      await newScope('CiraSync users', "CustomAttribute1 -eq 'CiraSync' -or Department -eq 'Sales'");
      await newScope(
        'Requesters',
        "MemberOfGroup -eq 'Service account requesters' -and RecipientTypeDetails -eq 'UserMailbox'",
      );
      await assign({ Role: 'Application Contacts.ReadWrite', CustomResourceScope: 'CiraSync users' });
      await assign({ Role: 'Application Mail Full Access', CustomResourceScope: 'Requesters' });
      await assign({ Role: 'Application Calendars.Read' });
    });

    const rows = async (resource?: string) =>
      (
        await run('Test-ServicePrincipalAuthorization', {
          Identity: 'CiraSync',
          ...(resource === undefined ? {} : { Resource: resource }),
        })
      ).body.value as Array<Record<string, string>>;

    test('when no resource is given, then each assignment is listed with its permissions and scope, InScope "Not Run"', async () => {
      expect(await rows()).toEqual([
        {
          RoleName: 'Application Contacts.ReadWrite',
          GrantedPermissions: 'Contacts.ReadWrite',
          AllowedResourceScope: 'CiraSync users',
          ScopeType: 'CustomRecipientScope',
          InScope: 'Not Run',
        },
        {
          RoleName: 'Application Mail Full Access',
          GrantedPermissions: 'Mail.ReadWrite, Mail.Send',
          AllowedResourceScope: 'Requesters',
          ScopeType: 'CustomRecipientScope',
          InScope: 'Not Run',
        },
        {
          RoleName: 'Application Calendars.Read',
          GrantedPermissions: 'Calendars.Read',
          AllowedResourceScope: 'Organization',
          ScopeType: 'Organization',
          InScope: 'Not Run',
        },
      ]);
    });

    test('when a mailbox is tested, then InScope follows each scope’s filter (True in scope, False outside, True org-wide)', async () => {
      const inScope = async (resource: string) => (await rows(resource)).map((row) => row.InScope);
      expect(await inScope('alexw@contoso.com')).toEqual(['True', 'False', 'True']); // CustomAttribute1, not a requester
      expect(await inScope('isaiahl@contoso.com')).toEqual(['False', 'True', 'True']); // a requester with a mailbox
      expect(await inScope('Megan Bowen')).toEqual(['False', 'False', 'True']);
      await graph(sim, graphToken, 'POST', '/users', newUserBody('svc-sales', { department: 'Sales' }));
      sim.advance(FAST_DELAYS.exchangeRecipientMs);
      expect(await inScope('svc-sales')).toEqual(['True', 'False', 'True']); // -or Department
    });

    test('when the app or the resource is unknown, then Test-ServicePrincipalAuthorization is ManagementObjectNotFoundException (404)', async () => {
      const app = await run('Test-ServicePrincipalAuthorization', {
        Identity: DISABLED_SERVICE_PRINCIPAL.appId,
      });
      expect(failure(app)).toMatchObject({ status: 404, type: NOT_FOUND });
      const mailbox = await run('Test-ServicePrincipalAuthorization', {
        Identity: 'CiraSync',
        Resource: 'nobody',
      });
      expect(failure(mailbox)).toMatchObject({ status: 404, type: NOT_FOUND });
    });

    test('when it runs, then the call log records it as a read, the assignments as writes', async () => {
      await rows('alexw@contoso.com');
      const calls = sim.calls().filter((call) => call.api === 'exchange');
      expect(calls.map((call) => [call.cmdlet, call.mutating, call.committed])).toEqual([
        ['New-ServicePrincipal', true, true],
        ['New-ManagementScope', true, true],
        ['New-ManagementScope', true, true],
        ['New-ManagementRoleAssignment', true, true],
        ['New-ManagementRoleAssignment', true, true],
        ['New-ManagementRoleAssignment', true, true],
        ['Test-ServicePrincipalAuthorization', false, false],
      ]);
    });
  });

  describe('the app’s own Exchange rights, faults and scenarios', () => {
    test('when the calling app holds no Role Management role, then the RBAC for Applications cmdlets are "not recognized"', async () => {
      sim.registerClient({
        clientId: 'b1c2d3e4-0000-4000-8000-000000000002',
        secret: 's3cret',
        exchangeManagementRoles: ['View-Only Recipients'],
      });
      const limited = await tokenFor(sim, 'https://outlook.office365.com', {
        clientId: 'b1c2d3e4-0000-4000-8000-000000000002',
        clientSecret: 's3cret',
      });
      for (const cmdlet of [
        'Get-ServicePrincipal',
        'New-ServicePrincipal',
        'New-ManagementScope',
        'New-ManagementRoleAssignment',
        'Test-ServicePrincipalAuthorization',
      ]) {
        const refused = await exchange(sim, limited, cmdlet, {});
        expect(refused.status).toBe(400);
        expect(refused.body.error.innererror.internalexception.message).toMatch(
          new RegExp(`^The term '${cmdlet}' is not recognized as a name of a cmdlet`),
        );
      }
      expect((await exchange(sim, limited, 'Get-Recipient', { Identity: 'alexw' })).status).toBe(200);
    });

    test('when New-ServicePrincipal gets an afterCommit fault, then the pointer exists, the call is logged committed, and a retry is already-exists', async () => {
      sim.faults.inject({
        api: 'exchange',
        cmdlet: 'New-ServicePrincipal',
        times: 1,
        status: 504,
        afterCommit: true,
      });
      expect((await registerCiraSync()).status).toBe(504);
      expect(failure(await registerCiraSync())).toMatchObject({ status: 400, type: ALREADY_EXISTS });
      expect(sim.mutatingCalls().map((call) => [call.cmdlet, call.status, call.committed])).toEqual([
        ['New-ServicePrincipal', 504, true],
        ['New-ServicePrincipal', 400, false],
      ]);
      expect(sim.state().exchangeServicePrincipals).toHaveLength(1);
    });

    test.each<SimulatorScenario>(['classic', 'current'])(
      'when the tenant is %s, then the application roles exist and an app can be granted one',
      async (scenario) => {
        const other = await startSimulator({ scenario });
        try {
          const otherToken = await tokenFor(other, 'https://outlook.office365.com');
          const roles = await exchange(other, otherToken, 'Get-ManagementRole', {
            Identity: 'Application *',
          });
          expect(roles.body.value.map((role: { Name: string }) => role.Name).sort()).toEqual(
            APPLICATION_ROLES.map((role) => role.name).sort(),
          );
          await exchange(other, otherToken, 'New-ServicePrincipal', {
            AppId: CIRASYNC.appId,
            ObjectId: CIRASYNC.id,
          });
          const granted = await exchange(other, otherToken, 'New-ManagementRoleAssignment', {
            App: CIRASYNC.appId,
            Role: 'Application Mail.Read',
          });
          expect(granted.status).toBe(200);
          const delegating = await exchange(other, otherToken, 'Get-ManagementRoleAssignment', {
            Role: 'Application Mail.Read',
            Delegating: true,
          });
          expect(delegating.body.value).toEqual([
            expect.objectContaining({ RoleAssigneeName: 'Organization Management' }),
          ]);
        } finally {
          await other.close();
        }
      },
    );
  });
});
