/**
 * The health watch's stories on the simulated tenant through the real Graph and Exchange adapters
 * (issue 16), for the conditions the bot-level test does not break: an app grant whose Exchange roles
 * were removed (fixed after a second owner approves), a Global Administrator left too long (Downgrade
 * role as the fix), and an account deleted from the directory (reported, nothing to fix).
 */
import { grantAppAccess } from '../../src/domain/appAccessSteps';
import { provisionAccount, specOf } from '../../src/domain/provisionAccount';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { ROLE } from '../../src/domain/wellKnown';
import type { WorkRun } from '../../src/domain/workPorts';
import { CIRASYNC_SERVICE_PRINCIPAL } from '../../src/simulator';
import { checkHealth } from '../../src/useCases/checkHealth';
import { approveHealthFix, fixHealth } from '../../src/useCases/fixHealth';
import { decideRequest } from '../../src/useCases/decideRequest';
import { submitRequest } from '../../src/useCases/submitRequest';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN } from '../support/memoryRequests';
import { type Harness, startHarness } from '../support/tenantHarness';

const DAY = 86_400_000;
let harness: Harness;
let services: MemoryServices;

afterEach(async () => {
  await harness?.simulator.close();
});

/** Services in memory, with the tenant through the harness's real adapters. */
function onTenant(): MemoryServices {
  const made = memoryServices(new Date());
  return Object.assign(made, {
    directory: harness.directory,
    exchange: harness.exchange,
    appAccess: harness.appAccess,
    patience: harness.patience,
  });
}

const run: WorkRun = { attempts: 1, scheduledAt: 0, saved: {}, checkpoint: async () => undefined };
const check = (request: ServiceAccountRequest) =>
  checkHealth(services, { tenantId: request.tenantId, requestId: request.id }, run);
const cardsTo = (who: { aadObjectId: string }) => services.notifier.healthCards(who.aadObjectId);

/** Submitted by Alex, approved by Megan, then moved to Ready and announced as the watch found it. */
async function readyRequest(
  details: Partial<ServiceAccountRequest['details']>,
): Promise<ServiceAccountRequest> {
  const submitted = await submitRequest(services, {
    requester: ALEX,
    approver: MEGAN,
    details: {
      displayName: 'CiraSync Service',
      username: 'svc-health-sim',
      domain: 'contoso.com',
      contact: {},
      acknowledgedWarnings: [],
      ...details,
    },
  });
  await decideRequest(services, {
    tenantId: submitted.tenantId,
    requestId: submitted.id,
    actor: MEGAN,
    decision: 'approve',
  });
  let request = (await services.requests.get(submitted.tenantId, submitted.id)) as ServiceAccountRequest;
  for (const next of ['AwaitingReplication', 'Ready'] as const) {
    request = (await services.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: [request.state] },
      { state: next, at: services.now().toISOString() },
    )) as ServiceAccountRequest;
  }
  return (await services.requests.recordAnnounced(
    request.tenantId,
    request.id,
    services.now().toISOString(),
  )) as ServiceAccountRequest;
}

describe('the health watch through the real adapters', () => {
  it('when the app loses its Exchange roles, then one card per owner; the fix waits for Megan and grants them again', async () => {
    harness = await startHarness('current');
    const app = {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      servicePrincipalId: CIRASYNC_SERVICE_PRINCIPAL.id,
      displayName: 'CiraSync',
      roles: ['Application Contacts.ReadWrite'],
      scope: { kind: 'organization' as const },
    };
    services = onTenant();
    const request = await readyRequest({ username: '', serviceAccount: false, appAccess: app });
    await grantAppAccess({ ...app, requestId: request.id }, { exchange: harness.appAccess });

    await check(request);
    expect(cardsTo(ALEX)).toEqual([]);
    harness.simulator.resetCalls();
    await check(request);
    // An app-only grant reads Exchange only: one round trip, no Graph.
    expect(harness.simulator.roundTrips()).toMatchObject({ graph: 0, exchange: 1 });

    harness.simulator.change.removeAppRoleAssignments(app.appId);
    await check(request);
    await check(request);
    expect([cardsTo(ALEX).length, cardsTo(MEGAN).length]).toEqual([1, 1]);
    expect(cardsTo(ALEX)[0].problems.map((p) => p.code)).toEqual(['appRolesMissing']);

    expect(await fixHealth(services, ALEX, request, 'appRolesMissing')).toMatchObject({ kind: 'asked' });
    const granted = () =>
      harness.simulator.state().appRoleAssignments.filter((a) => a.role === 'Application Contacts.ReadWrite');
    expect(granted()).toEqual([]);
    expect(await approveHealthFix(services, MEGAN, request, 'appRolesMissing')).toMatchObject({
      kind: 'fixed',
    });
    expect(granted()).toHaveLength(1);
    expect(
      services.notifier.toldPerson(ALEX.aadObjectId).filter((t) => /healthy again/.test(t)),
    ).toHaveLength(1);
  });

  it('when the account is still a Global Administrator eight days after ready, then the card offers Downgrade role, and pressing it lowers the account in Entra', async () => {
    harness = await startHarness('classic');
    services = onTenant();
    const request = await readyRequest({});
    const progress = await provisionAccount(specOf(request), {
      ...harness,
      password: 'Health#Sim-2026-passw0rd!',
    });
    services.scheduler.records.set(request.id, { progress });
    await check(request);
    expect(cardsTo(ALEX)).toEqual([]);

    services.setNow(new Date(services.now().getTime() + 8 * DAY));
    await check(request);
    expect(
      cardsTo(MEGAN)
        .at(-1)
        ?.problems.map((p) => [p.code, p.fix?.title]),
    ).toEqual([['globalAdminTooLong', 'Downgrade role']]);
    expect(await fixHealth(services, MEGAN, request, 'globalAdminTooLong')).toMatchObject({ kind: 'fixed' });
    const roles = harness.simulator
      .state()
      .roleAssignments.filter((a) => a.principalId === progress.userId)
      .map((a) => a.roleDefinitionId);
    expect(roles).toEqual([ROLE.serviceSupportAdministrator]);

    // Deleted by someone elsewhere: reported once, with nothing the bot can fix.
    await harness.directory.deleteUser(progress.userId as string);
    await check(request);
    await check(request);
    const last = cardsTo(ALEX).at(-1);
    expect(last?.problems.map((p) => [p.code, p.fix])).toEqual([['accountMissing', undefined]]);
    expect(cardsTo(ALEX)).toHaveLength(2);
  });
});
