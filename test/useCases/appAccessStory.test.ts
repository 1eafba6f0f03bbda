/**
 * An app-only request (RBAC for Applications, no service account), in memory through the ports:
 * approved → the app registered in Exchange, scoped and granted its roles → the watch waits until
 * Test-ServicePrincipalAuthorization lists every role on enough polls → Ready, announced once, with
 * nothing created in the directory and no password anywhere.
 */
import { AppError } from '../../src/domain/errors';
import { ROLE } from '../../src/domain/wellKnown';
import type { WorkRun } from '../../src/domain/workPorts';
import { decideRequest } from '../../src/useCases/decideRequest';
import { provisionRequest } from '../../src/useCases/provisionRequest';
import { submitRequest } from '../../src/useCases/submitRequest';
import { watchReplication } from '../../src/useCases/watchReplication';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN } from '../support/memoryRequests';

let services: MemoryServices;
beforeEach(() => {
  services = memoryServices();
  // Megan's approval is checked afresh against Graph before the first write: she is an admin.
  services.directory.assignments.push({
    id: 'ra-megan',
    principalId: MEGAN.aadObjectId,
    roleDefinitionId: ROLE.globalAdministrator,
    directoryScopeId: '/',
  });
  services.directory.servicePrincipals.push({ ...CIRASYNC_APP });
});

/** CiraSync's enterprise application in the tenant, enabled, as the approver saw it. */
const CIRASYNC_APP = {
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  appId: '11111111-2222-4333-8444-555555555555',
  displayName: 'CiraSync',
  accountEnabled: true,
};

function run(saved: Record<string, unknown>, attempts = 1): WorkRun & { last: Record<string, unknown> } {
  const state = { last: saved };
  return {
    attempts,
    scheduledAt: services.now().getTime(),
    saved,
    get last() {
      return state.last;
    },
    checkpoint: async (data) => {
      state.last = data;
    },
  };
}

async function approvedAppRequest() {
  const submitted = await submitRequest(services, {
    requester: ALEX,
    approver: MEGAN,
    details: {
      displayName: 'CiraSync',
      username: '',
      domain: 'contoso.com',
      contact: {},
      acknowledgedWarnings: ['impersonationRetired'],
      serviceAccount: false,
      appAccess: {
        appId: CIRASYNC_APP.appId,
        servicePrincipalId: CIRASYNC_APP.id,
        displayName: 'CiraSync',
        roles: ['Application Contacts.ReadWrite'],
        scope: { kind: 'organization' },
      },
    },
  });
  const decided = await decideRequest(services, {
    tenantId: submitted.tenantId,
    requestId: submitted.id,
    actor: MEGAN,
    decision: 'approve',
  });
  if (decided.kind !== 'decided') throw new Error('not approved');
  await services.background.idle();
  return decided.request;
}

describe('granting the sync product’s app instead of making a service account', () => {
  it('when an app-only request is approved, then the app is granted, the watch sees the roles, and it is Ready with no account and no password', async () => {
    const request = await approvedAppRequest();
    const key = { tenantId: request.tenantId, requestId: request.id };
    const provisioning = run({});
    expect(await provisionRequest(services, key, provisioning)).toMatchObject({ kind: 'done' });
    expect((await services.requests.get(key.tenantId, key.requestId))?.state).toBe('AwaitingReplication');
    expect(services.appAccess.writes).toEqual([
      'New-ServicePrincipal',
      'New-ManagementRoleAssignment Application Contacts.ReadWrite',
    ]);
    expect(services.directory.calls).toEqual([]);
    expect(await services.passwords.state(key.tenantId, key.requestId)).toEqual({ kind: 'absent' });
    services.scheduler.records.set(request.id, provisioning.last);

    // Test-ServicePrincipalAuthorization lists the role: two polls in a row, then Ready.
    let saved: Record<string, unknown> = { since: services.now().toISOString() };
    for (let poll = 0; poll < 2; poll++) {
      services.setNow(new Date(services.now().getTime() + 120_000));
      const outcome = await watchReplication(services, key, run(saved));
      if (outcome.kind === 'retryAt') saved = outcome.data ?? saved;
      else expect(outcome).toMatchObject({ kind: 'done' });
    }
    const ready = await services.requests.get(key.tenantId, key.requestId);
    expect(ready).toMatchObject({ state: 'Ready', announcedAt: expect.any(String) });
    const sent = services.notifier.notices.filter((n) => n.kind === 'ready');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      view: { ready: { canReveal: false, canReset: false, canDowngrade: false } },
      approverText: expect.stringContaining(
        'CiraSync now holds Application Contacts.ReadWrite over every mailbox',
      ),
    });
    expect(sent[0].kind === 'ready' ? sent[0].view.ready?.note : '').toContain(
      'No user and no Global Administrator were created.',
    );
    expect(services.scheduler.works()).not.toContain('passwordPurge');
  });

  it.each([
    [
      'disabled',
      () => {
        services.directory.servicePrincipals[0].accountEnabled = false;
      },
      'CiraSync has been disabled in Microsoft Entra ID since it was approved.',
    ],
    [
      'deleted',
      () => {
        services.directory.servicePrincipals.length = 0;
      },
      'is no longer an enterprise application of this tenant',
    ],
    [
      'deleted and added again (a new object)',
      () => {
        services.directory.servicePrincipals[0].id = 'ffffffff-bbbb-4ccc-8ddd-eeeeeeeeeeee';
      },
      'is no longer an enterprise application of this tenant',
    ],
  ])(
    'when the app is %s after the approval, then nothing is written in Exchange and the request fails saying why',
    async (_how, change, says) => {
      const request = await approvedAppRequest();
      change();
      const key = { tenantId: request.tenantId, requestId: request.id };
      expect(await provisionRequest(services, key, run({}))).toMatchObject({ kind: 'failed' });
      expect(services.appAccess.writes).toEqual([]);
      expect((await services.requests.get(key.tenantId, key.requestId))?.state).toBe('Failed');
      const told = services.notifier.notices.filter((n) => n.kind === 'tell').at(-1);
      expect(told).toMatchObject({ who: 'requester', text: expect.stringContaining('Nothing was changed:') });
      expect(told?.kind === 'tell' ? told.text : '').toContain(says);
    },
  );

  it('when Microsoft 365 refuses the check of the app for good, then nothing is written and the request fails with its reason; a throttled check is tried again', async () => {
    const request = await approvedAppRequest();
    const key = { tenantId: request.tenantId, requestId: request.id };
    const original = services.directory.findServicePrincipal.bind(services.directory);
    services.directory.findServicePrincipal = async () => {
      throw new AppError('Throttled', 'Microsoft Graph is busy; trying again shortly.');
    };
    await expect(provisionRequest(services, key, run({}))).rejects.toMatchObject({ code: 'Throttled' });
    expect((await services.requests.get(key.tenantId, key.requestId))?.state).toBe('Provisioning');

    services.directory.findServicePrincipal = async () => {
      throw new AppError('Forbidden', 'The bot’s app is missing the Application.Read.All permission.');
    };
    expect(await provisionRequest(services, key, run({}))).toMatchObject({ kind: 'failed' });
    expect(services.appAccess.writes).toEqual([]);
    expect((await services.requests.get(key.tenantId, key.requestId))?.state).toBe('Failed');
    const told = services.notifier.notices.filter((n) => n.kind === 'tell').at(-1);
    expect(told?.kind === 'tell' ? told.text : '').toContain(
      'Nothing was changed. I could not check the approval and the app before making changes: The bot’s app is missing the Application.Read.All permission.',
    );
    services.directory.findServicePrincipal = original;
  });

  it('when the provisioning runs again after it finished, then nothing is granted twice', async () => {
    const request = await approvedAppRequest();
    const key = { tenantId: request.tenantId, requestId: request.id };
    const first = run({});
    await provisionRequest(services, key, first);
    const writes = services.appAccess.writes.length;
    // A second run of the same job from its last checkpoint, as after a crash before it was marked done.
    await services.requests.transition(
      key.tenantId,
      key.requestId,
      {
        version: (await services.requests.get(key.tenantId, key.requestId))?.version ?? 0,
        from: ['AwaitingReplication'],
      },
      { state: 'Failed', at: services.now().toISOString() },
    );
    const failed = await services.requests.get(key.tenantId, key.requestId);
    await services.requests.transition(
      key.tenantId,
      key.requestId,
      { version: failed?.version ?? 0, from: ['Failed'] },
      { state: 'Provisioning', at: services.now().toISOString() },
    );
    await provisionRequest(services, key, run({}));
    expect(services.appAccess.writes).toHaveLength(writes);
  });
});
