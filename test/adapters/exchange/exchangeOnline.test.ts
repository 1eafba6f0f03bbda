/**
 * The Exchange port over InvokeCommand against the simulator answering as Exchange Online does: a
 * look-first read of something absent is "absent" whether Exchange says 404
 * (ManagementObjectNotFoundException) or 400 (UserNotFoundInPermissionEntryException), and a second
 * write of something already there is a conflict the steps can recognise.
 */
import { isAppError } from '../../../src/domain/errors';
import { type Harness, startHarness } from '../../support/tenantHarness';

describe('Exchange Online through the admin API', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('classic');
  });
  afterAll(async () => {
    await harness.simulator.close();
  });

  it('when a user has no entry on the public-folder root, then the read says so (Exchange answers 400), and Reviewer can be added once', async () => {
    const { exchange } = harness;
    expect(await exchange.publicFolderAccess('\\', 'alexw@contoso.com')).toBeUndefined();
    await exchange.addPublicFolderPermission('\\', 'alexw@contoso.com', 'Reviewer');
    expect(await exchange.publicFolderAccess('\\', 'alexw@contoso.com')).toEqual(['Reviewer']);
    const again = await exchange.addPublicFolderPermission('\\', 'alexw@contoso.com', 'Reviewer').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAppError(again, 'Conflict')).toBe(true);
    expect(isAppError(again) ? again.details.serviceCode : '').toBe(
      'Microsoft.Exchange.Management.StoreTasks.UserAlreadyExistsInPermissionEntryException',
    );
  });

  it('when a role group is absent, then the read says so (404); a member added twice is a conflict', async () => {
    const { exchange } = harness;
    expect(await exchange.getRoleGroup('No Such Group')).toBeUndefined();
    expect(await exchange.recipientExists('nobody@contoso.com')).toBe(false);
    await exchange.newRoleGroup('Sync Readers', ['ApplicationImpersonation'], ['alexw@contoso.com']);
    const twice = await exchange.addRoleGroupMember('Sync Readers', 'alexw@contoso.com').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAppError(twice, 'Conflict')).toBe(true);
    const exists = await exchange.newRoleGroup('Sync Readers', ['ApplicationImpersonation'], []).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAppError(exists, 'Conflict')).toBe(true);
  });
});
