/** Who may do what (src/domain/authorization.ts, pressRules.ts) and the least-privilege check (permissions.ts). */
import { type AccessChecks, authorizeDecision, CachedAccessChecks } from '../../src/domain/authorization';
import { authorizePress } from '../../src/domain/pressRules';
import { checkPermissions, REQUIRED_PERMISSIONS } from '../../src/domain/permissions';
import type { ServiceAccountRequest } from '../../src/domain/request';

type Press = Parameters<typeof authorizePress>[1];
const PERSONAL = { kind: 'personal', inApprovalsChannel: false } as const;
const GROUP_CHAT = { kind: 'groupChat', inApprovalsChannel: false } as const;
const CHANNEL = { kind: 'channel', inApprovalsChannel: false } as const;
const APPROVALS = { kind: 'channel', inApprovalsChannel: true } as const;

const ALEX = { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'Alex Wilber' };
const MEGAN = { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000002', name: 'Megan Bowen' };
const ADELE = { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000003', name: 'Adele Vance' };
const GROUP = 'bbbbbbbb-0000-0000-0000-000000000001';

const request = {
  id: 'r1',
  requester: ALEX,
  approver: { ...MEGAN, userPrincipalName: 'meganb@contoso.com' },
} as unknown as ServiceAccountRequest;

function checks(members: string[], admins: string[] = []): AccessChecks & { calls: number } {
  const probe = {
    calls: 0,
    async isAdmin(userId: string) {
      probe.calls++;
      return admins.includes(userId);
    },
    async isMember(userId: string, groupId: string) {
      probe.calls++;
      return groupId === GROUP && members.includes(userId);
    },
  };
  return probe;
}

describe('authorization', () => {
  it('when the approver decides, then it is allowed without asking the directory', async () => {
    const probe = checks([]);
    const right = await authorizeDecision(probe, MEGAN, request, { inApprovalsChannel: false });
    expect(right).toEqual({ allowed: true, asGroupMember: false });
    expect(probe.calls).toBe(0);
  });

  it('when the requester tries to decide, then it is refused even as a member of the approver group in the channel', async () => {
    const right = await authorizeDecision(
      checks([ALEX.aadObjectId]),
      { ...ALEX, name: 'Someone Else' },
      request,
      {
        inApprovalsChannel: true,
        approverGroupId: GROUP,
      },
    );
    expect(right).toMatchObject({ allowed: false, asRequester: true });
  });

  it.each([
    [true, GROUP, true],
    [false, GROUP, false],
    [true, undefined, false],
  ])(
    'when a group member presses in the channel=%s with group %s, then allowed=%s',
    async (inApprovalsChannel, approverGroupId, allowed) => {
      const right = await authorizeDecision(checks([ADELE.aadObjectId]), ADELE, request, {
        inApprovalsChannel,
        approverGroupId,
      });
      expect(right.allowed).toBe(allowed);
      if (right.allowed) expect(right.asGroupMember).toBe(true);
    },
  );

  it('when the password is asked for, then only the requester may; Retry, Remove and Downgrade also the approver', async () => {
    const admins = checks([], [ALEX.aadObjectId, MEGAN.aadObjectId, ADELE.aadObjectId]);
    const press = (action: Press['action'], actor: Press['actor']) =>
      authorizePress(admins, { action, actor, request, place: PERSONAL });
    expect((await press('reveal', ALEX)).allowed).toBe(true);
    expect((await press('reveal', MEGAN)).allowed).toBe(false);
    expect((await press('reset', MEGAN)).allowed).toBe(false);
    for (const action of ['retry', 'remove', 'downgrade'] as const) {
      expect((await press(action, MEGAN)).allowed).toBe(true);
      expect((await press(action, ADELE)).allowed).toBe(false);
    }
  });

  it.each([
    ['reveal', ALEX, GROUP_CHAT],
    ['reveal', ALEX, CHANNEL],
    ['reveal', ALEX, APPROVALS],
    ['reset', ALEX, GROUP_CHAT],
    ['downgrade', MEGAN, GROUP_CHAT],
    ['retry', ALEX, CHANNEL],
    ['remove', ALEX, APPROVALS],
    ['approve', MEGAN, GROUP_CHAT],
    ['reject', MEGAN, CHANNEL],
    ['cancel', ALEX, GROUP_CHAT],
    ['resend', ALEX, CHANNEL],
  ] as const)(
    'when %s is pressed by the right person in a %s, then it is refused for the place',
    async (action, actor, place) => {
      const admins = checks([], [ALEX.aadObjectId, MEGAN.aadObjectId]);
      const right = await authorizePress(admins, { action, actor, request, place });
      expect(right).toMatchObject({ allowed: false, why: 'place' });
    },
  );

  it.each([
    ['approve', MEGAN],
    ['reject', MEGAN],
    ['cancel', ALEX],
    ['resend', ALEX],
  ] as const)(
    'when %s is pressed by the right person in the approvals channel, then it is allowed',
    async (action, actor) => {
      const right = await authorizePress(checks([]), { action, actor, request, place: APPROVALS });
      expect(right.allowed).toBe(true);
    },
  );

  it('when the requester has lost the admin role since asking, then Reveal, Reset, Retry, Remove and Downgrade are refused; Cancel still works', async () => {
    const noAdmins = checks([]);
    for (const action of ['reveal', 'reset', 'retry', 'remove', 'downgrade'] as const) {
      const right = await authorizePress(noAdmins, { action, actor: ALEX, request, place: PERSONAL });
      expect(right).toMatchObject({ allowed: false, why: 'role' });
    }
    expect(
      (await authorizePress(noAdmins, { action: 'cancel', actor: ALEX, request, place: PERSONAL })).allowed,
    ).toBe(true);
    // A member of the requester group keeps the right through the group.
    const viaGroup = await authorizePress(
      checks([ALEX.aadObjectId]),
      { action: 'reveal', actor: ALEX, request, place: PERSONAL },
      { requesterGroupId: GROUP },
    );
    expect(viaGroup.allowed).toBe(true);
  });

  it('when the approver presses Approve, then the directory is not asked (the provisioning job asks before the first write)', async () => {
    const probe = checks([]);
    const right = await authorizePress(probe, { action: 'approve', actor: MEGAN, request, place: PERSONAL });
    expect(right.allowed).toBe(true);
    expect(probe.calls).toBe(0);
  });

  it('when the same admin check repeats within a minute, then the directory is asked once; after it, again', async () => {
    let now = 0;
    const probe = checks([], [ALEX.aadObjectId]);
    const cached = new CachedAccessChecks(probe, { ttlMs: 60_000, now: () => now });
    expect(await cached.isAdmin(ALEX.aadObjectId)).toBe(true);
    expect(await cached.isAdmin(ALEX.aadObjectId.toUpperCase())).toBe(true);
    expect(await cached.isAdmin(MEGAN.aadObjectId)).toBe(false);
    expect(probe.calls).toBe(2);
    now = 60_001;
    await cached.isAdmin(ALEX.aadObjectId);
    expect(probe.calls).toBe(3);
  });

  it('when the directory fails, then the failure is not remembered', async () => {
    let fail = true;
    const cached = new CachedAccessChecks({
      isAdmin: async () => {
        if (fail) throw new Error('Graph is down');
        return true;
      },
      isMember: async () => false,
    });
    await expect(cached.isAdmin(ALEX.aadObjectId)).rejects.toThrow('Graph is down');
    fail = false;
    expect(await cached.isAdmin(ALEX.aadObjectId)).toBe(true);
  });
});

describe('least-privilege check', () => {
  const graph = REQUIRED_PERMISSIONS.filter(
    (p) => p.api === 'Microsoft Graph' && p.onlyWithGroups !== true,
  ).map((p) => p.permission);

  it('when exactly the needed permissions are granted, then nothing is missing or extra', () => {
    const report = checkPermissions(
      { graph, exchange: ['Exchange.ManageAsApp'] },
      { groupsConfigured: false },
    );
    expect(report).toMatchObject({ missing: [], extra: [] });
    expect(report.summary).toMatch(/^All 8 application permissions are granted\.$/);
  });

  it('when a permission is missing, then it is named with why it is needed', () => {
    const report = checkPermissions(
      { graph: graph.filter((p) => p !== 'Policy.Read.All'), exchange: [] },
      { groupsConfigured: true },
    );
    expect(report.missing.map((m) => m.permission)).toEqual([
      'Policy.Read.All',
      'GroupMember.Read.All',
      'Exchange.ManageAsApp',
    ]);
    expect(report.summary).toContain('Microsoft Graph: Policy.Read.All (to read security defaults');
  });

  it('when broader permissions are granted, then they are reported as extra', () => {
    const report = checkPermissions(
      {
        graph: [...graph, 'Directory.ReadWrite.All'],
        exchange: ['Exchange.ManageAsApp', 'full_access_as_app'],
      },
      { groupsConfigured: false },
    );
    expect(report.missing).toEqual([]);
    expect(report.extra).toEqual([
      'Microsoft Graph: Directory.ReadWrite.All',
      'Office 365 Exchange Online: full_access_as_app',
    ]);
  });
});
