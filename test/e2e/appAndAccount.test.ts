/**
 * The bot in a `current` tenant (ApplicationImpersonation gone), end to end in process, for a request
 * that grants the sync product's app and, as the admin chose on the card, also makes a service account
 * for public folders: approved in Teams, the account is created with its licence and Reviewer on the
 * public folders but never put in the "App Impersonation" role group, the app is registered and
 * granted its roles, the watch waits for Test-ServicePrincipalAuthorization, and the ready message
 * hands over the account's password and names what the app holds.
 */
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { ROLE } from '../../src/domain/wellKnown';
import { CIRASYNC_SERVICE_PRINCIPAL, SKUS, type TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import { pendingRequest, untilState } from '../support/requests';

describe('granting the sync product’s app and making a service account beside it', () => {
  let running: TestBot;
  let simulator: TenantSimulator;

  beforeAll(async () => {
    running = await startTestBot({ settings: { SIMULATOR_SCENARIO: 'current' } });
    simulator = running.bot.tenant.simulator as TenantSimulator;
  });
  afterAll(async () => {
    await running?.close();
  });

  const globalAdministrators = () =>
    simulator.state().roleAssignments.filter((a) => a.roleDefinitionId === ROLE.globalAdministrator).length;

  it('when Megan approves it, then the account (with public folders, without impersonation) and the app’s roles are set up, and Alex gets the password and both admins the ready message', async () => {
    const adminsBefore = globalAdministrators();
    const request = await pendingRequest(running.bot, {
      username: 'cirasync-pf',
      details: {
        acknowledgedWarnings: ['impersonationRetired'],
        publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId, skuName: 'Exchange Online (Plan 1)' },
        usageLocation: 'US',
        appAccess: {
          appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
          servicePrincipalId: CIRASYNC_SERVICE_PRINCIPAL.id,
          displayName: 'CiraSync',
          roles: ['Application Contacts.ReadWrite'],
          scope: { kind: 'organization' },
        },
      },
    });
    const megansCard = JSON.stringify(
      running.connector.calls.filter((c) => JSON.stringify(c.body).includes(REQUEST_VERBS.approve)).at(-1)
        ?.body,
    );
    expect(megansCard).toContain('a new cloud account that will be a **Global Administrator**');
    expect(megansCard).toContain('granting the app **CiraSync** Exchange Online application roles');
    expect(megansCard).toContain('None: the app’s roles below replace it');

    await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    const ready = await untilState(running.bot, request.id, 'Ready', 60_000);
    expect(ready.announcedAt).toBeDefined();

    const writes = simulator
      .calls()
      .filter((call) => call.mutating && call.committed)
      .map((call) => call.cmdlet ?? `${call.method} ${call.path.replace(/users\/[^/]+\//, 'users/{id}/')}`);
    expect(writes).toEqual([
      'POST /v1.0/users',
      'POST /v1.0/roleManagement/directory/roleAssignments',
      'POST /v1.0/users/{id}/assignLicense',
      'Add-PublicFolderClientPermission',
      'New-ServicePrincipal',
      'New-ManagementRoleAssignment',
    ]);
    // One Global Administrator, because it was chosen: the account.
    expect(globalAdministrators()).toBe(adminsBefore + 1);
    expect(simulator.state().users.some((u) => u.userPrincipalName === 'cirasync-pf@contoso.com')).toBe(true);

    const toAlex = running.connector.calls.filter(
      (c) => c.conversationId === `a:personal-${ALEX.aadObjectId}` && c.method === 'POST',
    );
    const readyCard = JSON.stringify(toAlex.at(-1)?.body);
    expect(readyCard).toContain(
      '**cirasync-pf@contoso.com** is ready: it is a Global Administrator and its password never expires. **CiraSync**',
    );
    expect(readyCard).toContain(
      'now holds Application Contacts.ReadWrite in Exchange Online, over every mailbox',
    );
    expect(readyCard).not.toContain('ApplicationImpersonation');
    expect(readyCard).toContain(ACCOUNT_VERBS.reveal);
    const toMegan = running.connector.calls.filter(
      (c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}`,
    );
    expect(JSON.stringify(toMegan.map((c) => c.body))).toContain(
      "cirasync-pf@contoso.com and CiraSync's Application Contacts.ReadWrite over every mailbox in the organization, which you approved for Alex Wilber, are ready.",
    );

    const trail = await running.bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(trail.find((r) => r.event === 'submitted')?.detail).toContain(
      `cirasync-pf@contoso.com without impersonation, and app CiraSync (${CIRASYNC_SERVICE_PRINCIPAL.appId}): Application Contacts.ReadWrite over every mailbox in the organization`,
    );
    expect(trail.map((r) => r.event)).toEqual(
      expect.arrayContaining(['submitted', 'approved', 'provisioned', 'ready']),
    );
  }, 90_000);
});
