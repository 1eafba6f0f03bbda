/**
 * The bot in a `current` tenant (ApplicationImpersonation gone), end to end in process: a request that
 * grants the sync product's app (no service account) is approved in Teams, the provisioning job
 * registers the app in Exchange and assigns its role, the watch waits for
 * Test-ServicePrincipalAuthorization, and both admins get the ready message — with no user and no
 * Global Administrator created.
 */
import { REQUEST_VERBS } from '../../cards/verbs';
import { CIRASYNC_SERVICE_PRINCIPAL, type TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import { pendingRequest, untilState } from '../support/requests';

describe('granting the sync product’s app in a tenant without ApplicationImpersonation', () => {
  let running: TestBot;
  let simulator: TenantSimulator;

  beforeAll(async () => {
    running = await startTestBot({ settings: { SIMULATOR_SCENARIO: 'current' } });
    simulator = running.bot.tenant.simulator as TenantSimulator;
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when Megan approves an app-only request, then the app is granted, the grant is confirmed and both admins are told, with no account created', async () => {
    const usersBefore = simulator.state().users.length;
    const request = await pendingRequest(running.bot, {
      username: 'unused',
      details: {
        displayName: 'CiraSync',
        acknowledgedWarnings: ['impersonationRetired'],
        serviceAccount: false,
        appAccess: {
          appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
          servicePrincipalId: CIRASYNC_SERVICE_PRINCIPAL.id,
          displayName: 'CiraSync',
          roles: ['Application Contacts.ReadWrite'],
          scope: { kind: 'organization' },
        },
      },
    });
    // The card Megan approves says exactly which app gets which role over which mailboxes.
    const megansCard = JSON.stringify(
      running.connector.calls.filter((c) => JSON.stringify(c.body).includes(REQUEST_VERBS.approve)).at(-1)
        ?.body,
    );
    expect(megansCard).toContain('granting the app **CiraSync** Exchange Online application roles');
    expect(megansCard).toContain('Application Contacts.ReadWrite: Create, read, update and delete contacts');
    expect(megansCard).toContain('every mailbox in the organization');
    expect(megansCard).toContain('None: no user and no Global Administrator is created');
    // What the requester acknowledged at pre-flight, in words, not as the check's internal name.
    expect(megansCard).toContain('ApplicationImpersonation is gone from Exchange Online');
    expect(megansCard).not.toContain('impersonationRetired');
    const submitted = (await running.bot.audit.forRequest(TEST_TENANT_ID, request.id)).find(
      (r) => r.event === 'submitted',
    );
    expect(submitted?.detail).toContain(
      `app CiraSync (${CIRASYNC_SERVICE_PRINCIPAL.appId}): Application Contacts.ReadWrite over every mailbox in the organization, no service account`,
    );
    const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(JSON.stringify(approved.value)).toContain('Approved by Megan Bowen');

    const ready = await untilState(running.bot, request.id, 'Ready', 60_000);
    expect(ready.announcedAt).toBeDefined();
    expect(simulator.state().users).toHaveLength(usersBefore);
    const assignments = simulator
      .calls()
      .filter((call) => call.mutating && call.committed)
      .map((call) => call.cmdlet ?? `${call.method} ${call.path}`);
    expect(assignments).toEqual(['New-ServicePrincipal', 'New-ManagementRoleAssignment']);

    const toAlex = running.connector.calls.filter(
      (c) => c.conversationId === `a:personal-${ALEX.aadObjectId}` && c.method === 'POST',
    );
    expect(JSON.stringify(toAlex.at(-1)?.body)).toContain(
      'now holds Application Contacts.ReadWrite in Exchange Online, over every mailbox in the organization',
    );
    const toMegan = running.connector.calls.filter(
      (c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}`,
    );
    expect(JSON.stringify(toMegan.map((c) => c.body))).toContain(
      'CiraSync now holds Application Contacts.ReadWrite over every mailbox in the organization, as you approved for Alex Wilber. No account was created.',
    );
    const events = (await running.bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining(['submitted', 'delivered', 'approved', 'provisioned', 'ready']),
    );
    expect(events).not.toContain('password handed over');
  });
});
