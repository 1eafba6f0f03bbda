/**
 * RBAC for Applications through the real adapters against the simulator answering as Exchange Online
 * and Graph do: the app found in Graph, registered in Exchange, scoped and granted; a second run and a
 * run after a crash mid-grant make no second write; readiness from Test-ServicePrincipalAuthorization.
 */
import type { AppAccessSpec } from '../../../src/domain/appAccess';
import { appAccessInPlace, grantAppAccess } from '../../../src/domain/appAccessSteps';
import type { ExchangeAppAccess } from '../../../src/domain/ports';
import { CIRASYNC_SERVICE_PRINCIPAL } from '../../../src/simulator';
import { committedWrites, type Harness, startHarness } from '../../support/tenantHarness';

describe('granting the sync product’s app in Exchange Online', () => {
  let harness: Harness;
  let appAccess: ExchangeAppAccess;
  let spec: AppAccessSpec;

  beforeEach(async () => {
    harness = await startHarness('current');
    appAccess = harness.appAccess;
    const principal = await harness.directory.findServicePrincipal(CIRASYNC_SERVICE_PRINCIPAL.appId);
    if (principal === undefined) throw new Error('The simulated tenant should have CiraSync');
    spec = {
      requestId: '6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f',
      appId: principal.appId,
      servicePrincipalId: principal.id,
      displayName: principal.displayName,
      roles: ['Application Contacts.ReadWrite'],
      scope: { kind: 'filter', filter: "CustomAttribute1 -eq 'CiraSync'" },
    };
  });
  afterEach(async () => {
    await harness.simulator.close();
  });

  it('when the app is looked up in Graph, then an unknown id has no service principal and a disabled one says so', async () => {
    expect(
      await harness.directory.findServicePrincipal('00000000-1111-4222-8333-444444444444'),
    ).toBeUndefined();
    expect(await harness.directory.findServicePrincipal('not-a-guid')).toBeUndefined();
    expect(
      await harness.directory.findServicePrincipal('d1e3f5a7-9b0c-4d2e-8f4a-6b8c0d2e4f6a'),
    ).toMatchObject({
      accountEnabled: false,
    });
    expect(await harness.directory.findServicePrincipal(CIRASYNC_SERVICE_PRINCIPAL.appId)).toMatchObject({
      accountEnabled: true,
      displayName: 'CiraSync',
    });
  });

  it('when the grant runs twice, then Exchange has one registration, one scope and one assignment, and the scope decides who is in it', async () => {
    const first = await grantAppAccess(spec, { exchange: appAccess });
    expect(first.completed.map((r) => r.outcome)).toEqual(['created', 'created', 'created']);
    const writes = committedWrites(harness.simulator);
    expect(
      writes.filter((w) => /New-(ServicePrincipal|ManagementScope|ManagementRoleAssignment)/.test(w)),
    ).toHaveLength(3);
    const second = await grantAppAccess(spec, { exchange: appAccess });
    expect(second.completed.map((r) => r.outcome)).toEqual(['existing', 'existing', 'existing']);
    expect(committedWrites(harness.simulator)).toEqual(writes);

    expect(await appAccessInPlace(appAccess, spec)).toEqual({ ready: true, missing: [] });
    expect((await appAccessInPlace(appAccess, spec, 'alexw@contoso.com')).ready).toBe(true);
    expect(await appAccessInPlace(appAccess, spec, 'meganb@contoso.com')).toEqual({
      ready: false,
      missing: ['Application Contacts.ReadWrite'],
    });
  });

  it('when Exchange commits the role assignment but the answer is lost (a timeout, then a retry), then there is still one assignment', async () => {
    harness.simulator.faults.inject({
      api: 'exchange',
      cmdlet: 'New-ManagementRoleAssignment',
      times: 1,
      status: 504,
      afterCommit: true,
    });
    const progress = await grantAppAccess(spec, { exchange: appAccess });
    expect(progress.completed.map((r) => r.step)).toEqual([
      'exchangeServicePrincipal',
      'managementScope',
      'applicationRoles',
    ]);
    expect(
      committedWrites(harness.simulator).filter((w) => w === 'New-ManagementRoleAssignment'),
    ).toHaveLength(1);
    expect(await appAccess.appRoleAssignments(spec.appId)).toHaveLength(1);
    const writes = committedWrites(harness.simulator);
    await grantAppAccess(spec, { exchange: appAccess });
    expect(committedWrites(harness.simulator)).toEqual(writes);
  });
});
