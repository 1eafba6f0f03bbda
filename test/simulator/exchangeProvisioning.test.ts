import { SKUS, type TenantSimulator } from '../../src/simulator';
import {
  exchange,
  FAST_DELAYS,
  graph,
  newUserBody,
  sleep,
  startSimulator,
  tokenFor,
  exchangeErrorText,
} from './simulatorHarness';

describe('Exchange cmdlets the provisioning uses', () => {
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

  /** Creates an Entra user, licensed with a mailbox SKU unless `licensed` is false. */
  async function newServiceAccount(alias: string, licensed = true): Promise<string> {
    const created = await graph(sim, graphToken, 'POST', '/users', newUserBody(alias));
    if (licensed) {
      await graph(sim, graphToken, 'POST', `/users/${created.body.id}/assignLicense`, {
        addLicenses: [{ skuId: SKUS.EXCHANGESTANDARD.skuId }],
        removeLicenses: [],
      });
    }
    return `${alias}@contoso.com`;
  }

  test('when a new Entra user is asked for at once, then Exchange does not know it until the recipient delay has passed', async () => {
    const upn = await newServiceAccount('svc-recipient', false);
    expect((await exchange(sim, token, 'Get-Recipient', { Identity: upn })).status).toBe(404);
    await sleep(FAST_DELAYS.exchangeRecipientMs + 50);
    const known = await exchange(sim, token, 'Get-Recipient', { Identity: upn });
    expect(known.status).toBe(200);
    expect(known.body.value[0]).toMatchObject({
      Name: 'svc-recipient',
      RecipientTypeDetails: 'User',
      WindowsLiveID: upn,
    });
  });

  test('when a licensed user’s mailbox is asked for, then it appears only after the mailbox delay', async () => {
    const upn = await newServiceAccount('svc-mailbox');
    sim.advance(FAST_DELAYS.exchangeRecipientMs);
    expect((await exchange(sim, token, 'Get-Mailbox', { Identity: upn })).status).toBe(404);
    sim.advance(FAST_DELAYS.mailboxMs);
    const mailbox = await exchange(sim, token, 'Get-Mailbox', { Identity: upn });
    expect(mailbox.status).toBe(200);
    expect(mailbox.body.value[0]).toMatchObject({
      PrimarySmtpAddress: upn,
      RecipientTypeDetails: 'UserMailbox',
    });
    const user = await graph(sim, graphToken, 'GET', `/users/${upn}?$select=mail`);
    expect(user.body.mail).toBe(upn);
  });

  test('when the App Impersonation group is created with the account, then the account’s effective row appears only after replication', async () => {
    const upn = await newServiceAccount('svc-impersonation', false);
    sim.advance(FAST_DELAYS.exchangeRecipientMs);
    const created = await exchange(sim, token, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: ['ApplicationImpersonation'],
      Members: [upn],
    });
    expect(created.status).toBe(200);
    expect(created.body.value[0]).toMatchObject({
      Name: 'App Impersonation',
      Roles: ['ApplicationImpersonation'],
      Members: ['svc-impersonation'],
    });
    const effective = async () =>
      (
        await exchange(sim, token, 'Get-ManagementRoleAssignment', {
          Role: 'ApplicationImpersonation',
          GetEffectiveUsers: true,
        })
      ).body.value as Array<{
        RoleAssigneeName: string;
        EffectiveUserName: string;
        AssignmentMethod: string;
      }>;
    const before = await effective();
    expect(
      before
        .filter((row) => row.RoleAssigneeName === 'App Impersonation')
        .map((row) => row.EffectiveUserName),
    ).toEqual(['All Group Members']);
    expect(before.some((row) => row.RoleAssigneeName === 'Organization Management')).toBe(true);
    sim.advance(FAST_DELAYS.replicationMs);
    const after = await effective();
    expect(after.filter((row) => row.RoleAssigneeName === 'App Impersonation')).toEqual([
      expect.objectContaining({ EffectiveUserName: 'All Group Members', AssignmentMethod: 'Direct' }),
      expect.objectContaining({ EffectiveUserName: 'svc-impersonation', AssignmentMethod: 'RoleGroup' }),
    ]);
  });

  test('when a role group is created twice, then Exchange reports the object already exists', async () => {
    await exchange(sim, token, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: 'ApplicationImpersonation',
    });
    const again = await exchange(sim, token, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: 'ApplicationImpersonation',
    });
    expect(again.status).toBe(400);
    expect(again.body.error.details[0].message).toMatch(
      /^Ex[0-9A-F]+\|Microsoft\.Exchange\.Data\.Directory\.ADObjectAlreadyExistsException\|.*already exists\.$/,
    );
  });

  test('when a member is added to a group, then the group lists it and adding it again is Exchange’s "already a member" error', async () => {
    const upn = await newServiceAccount('svc-member', false);
    await exchange(sim, token, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: ['ApplicationImpersonation'],
    });
    const tooEarly = await exchange(sim, token, 'Add-RoleGroupMember', {
      Identity: 'App Impersonation',
      Member: upn,
    });
    expect(tooEarly.status).toBe(404);
    sim.advance(FAST_DELAYS.exchangeRecipientMs);
    const added = await exchange(sim, token, 'Add-RoleGroupMember', {
      Identity: 'App Impersonation',
      Member: upn,
    });
    expect(added.status).toBe(200);
    expect(added.body.value).toEqual([]);
    const group = await exchange(sim, token, 'Get-RoleGroup', { Identity: 'App Impersonation' });
    expect(group.body.value[0].Members).toEqual(['svc-member']);
    const again = await exchange(sim, token, 'Add-RoleGroupMember', {
      Identity: 'App Impersonation',
      Member: upn,
    });
    expect(again.status).toBe(400);
    expect(exchangeErrorText(again.body)).toBe(
      'The recipient "svc-member" is already a member of the group "App Impersonation".',
    );
  });

  test('when Reviewer is granted on the public-folder root, then it is listed, and granting again or without a mailbox fails', async () => {
    const withMailbox = await newServiceAccount('svc-pf');
    const withoutMailbox = await newServiceAccount('svc-pf-nomailbox', false);
    sim.advance(FAST_DELAYS.exchangeRecipientMs + FAST_DELAYS.mailboxMs);
    const refused = await exchange(sim, token, 'Add-PublicFolderClientPermission', {
      Identity: '\\',
      User: withoutMailbox,
      AccessRights: 'Reviewer',
    });
    expect(refused.status).toBe(400);
    expect(exchangeErrorText(refused.body)).toContain('is either not valid SMTP address');
    const granted = await exchange(sim, token, 'Add-PublicFolderClientPermission', {
      Identity: '\\',
      User: withMailbox,
      AccessRights: ['Reviewer'],
    });
    expect(granted.status).toBe(200);
    expect(granted.body.value[0]).toMatchObject({ User: 'Service svc-pf', AccessRights: ['Reviewer'] });
    const listed = await exchange(sim, token, 'Get-PublicFolderClientPermission', { Identity: '\\' });
    expect(listed.body.value.map((row: { User: string }) => row.User)).toEqual([
      'Default',
      'Anonymous',
      'Service svc-pf',
    ]);
    const mine = await exchange(sim, token, 'Get-PublicFolderClientPermission', {
      Identity: '\\',
      User: withMailbox,
    });
    expect(mine.body.value).toHaveLength(1);
    const again = await exchange(sim, token, 'Add-PublicFolderClientPermission', {
      Identity: '\\',
      User: withMailbox,
      AccessRights: 'Reviewer',
    });
    expect(exchangeErrorText(again.body)).toBe(
      'An existing permission entry was found for user: Service svc-pf.',
    );
  });
});
