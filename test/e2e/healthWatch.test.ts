/**
 * The health watch against the simulated tenant, through the running bot (issue 16): each condition a
 * ready account needs is broken the way an admin elsewhere would (`sim.change`), the watch's job runs,
 * and each owner gets exactly one card for the new problem — not again on later checks — with Fix where
 * the bot can repair it; the fix works (a fix that gives a right back only after a second owner
 * approves it); "healthy again" comes once.
 */
import { HEALTH_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { ROLE } from '../../src/domain/wellKnown';
import type { RunningBot } from '../../src/index';
import { JOB_KINDS, jobId } from '../../src/jobs/jobKinds';
import { SKUS, type TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, PATTI, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { ConnectorCall } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';

interface ShownProblem {
  title: string;
  fix?: string;
  approve?: string;
  code?: string;
}

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

/** The problems a health card shows, with the titles of its buttons and the problem they name. */
function problemsOf(card: unknown): ShownProblem[] {
  const body = (card as { body: { type: string; items?: Record<string, unknown>[] }[] }).body;
  return body
    .filter((item) => item.type === 'Container')
    .map((container) => {
      const items = container.items ?? [];
      const title = String(items[0]?.text ?? '');
      const actions = items
        .filter((i) => i.type === 'ActionSet')
        .flatMap((i) => i.actions as { title: string; verb: string; data: { problem: string } }[]);
      const fix = actions.find((a) => a.verb === HEALTH_VERBS.fix);
      const approve = actions.find((a) => a.verb === HEALTH_VERBS.approveFix);
      return {
        title,
        ...(fix === undefined ? {} : { fix: fix.title }),
        ...(approve === undefined ? {} : { approve: approve.title }),
        code: (fix ?? approve)?.data.problem,
      };
    });
}

describe('the health watch of a ready account in the simulated tenant', () => {
  let running: TestBot;
  let bot: RunningBot;
  let sim: TenantSimulator;
  let ready: ServiceAccountRequest;
  let upn: string;

  beforeAll(async () => {
    running = await startTestBot({ settings: { APPROVAL_REMINDER_HOURS: '0' } });
    bot = running.bot;
    sim = bot.tenant.simulator as TenantSimulator;
    const request = await pendingRequest(bot, {
      username: 'svc-health',
      details: {
        usageLocation: 'US',
        publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId, skuName: 'Exchange Online (Plan 1)' },
      },
    });
    const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    expect(text(approved.value)).toContain('Approved by Megan Bowen');
    ready = await untilState(bot, request.id, 'Ready', 60_000);
    upn = `${ready.details.username}@${ready.details.domain}`;
  }, 90_000);

  afterAll(async () => {
    await running?.close();
  });

  /** Makes the account's watch due now and lets the runner run it, as the next day would. */
  async function checkNow(): Promise<void> {
    const id = jobId(JOB_KINDS.healthWatch, TEST_TENANT_ID, ready.id);
    const now = Date.now();
    expect(await bot.jobs.requeue(id, now, now)).toBe(true);
    bot.runner.poke();
    await bot.idle();
    const job = await bot.jobs.get(id);
    expect(job?.state).toBe('queued');
  }

  /** Every health card sent to one owner so far. */
  function cardsTo(owner: TeamsUser): unknown[] {
    return running.connector.calls
      .filter(
        (c: ConnectorCall) =>
          c.method === 'POST' &&
          c.conversationId === `a:personal-${owner.aadObjectId}` &&
          text(c.body).includes('Health of the service account'),
      )
      .map((c) => (c.body.attachments as { content: unknown }[])[0].content);
  }

  function notesTo(owner: TeamsUser, pattern: RegExp): string[] {
    return running.connector.calls
      .filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${owner.aadObjectId}`)
      .map((c) => String(c.body.text ?? ''))
      .filter((t) => pattern.test(t));
  }

  const healthyAgain = (owner: TeamsUser) => notesTo(owner, /is healthy again/);

  /**
   * Breaks one condition, runs the watch three times and checks each owner got exactly one new card
   * showing that one problem; returns what Alex's card shows.
   */
  async function breakAndSee(breakIt: () => void, expectedTitle: RegExp): Promise<ShownProblem> {
    const before = [cardsTo(ALEX).length, cardsTo(MEGAN).length];
    const healthyBefore = healthyAgain(ALEX).length;
    healthyMark = [healthyBefore, healthyAgain(MEGAN).length];
    breakIt();
    await checkNow();
    await checkNow();
    await checkNow();
    expect([cardsTo(ALEX).length, cardsTo(MEGAN).length]).toEqual([before[0] + 1, before[1] + 1]);
    const shown = problemsOf(cardsTo(ALEX).at(-1));
    expect(shown).toHaveLength(1);
    expect(shown[0].title).toMatch(expectedTitle);
    expect(healthyAgain(ALEX)).toHaveLength(healthyBefore);
    return shown[0];
  }

  /** "Healthy again" notes each owner had when the last problem was made. */
  let healthyMark = [0, 0];

  /** After a repair (pressed or made by hand): each owner was told "healthy again" exactly once since. */
  async function expectHealthyAgainOnce(): Promise<void> {
    const before = healthyMark;
    await checkNow();
    await checkNow();
    expect([healthyAgain(ALEX).length, healthyAgain(MEGAN).length]).toEqual([before[0] + 1, before[1] + 1]);
    const record = await bot.services.health.get(TEST_TENANT_ID, ready.id);
    expect(record?.problems).toEqual([]);
  }

  const user = () => sim.state().users.find((u) => u.userPrincipalName === upn);

  it('when the account is ready, then its watch finds nothing wrong and tells nobody', async () => {
    await checkNow();
    await checkNow();
    expect(cardsTo(ALEX)).toEqual([]);
    expect(cardsTo(MEGAN)).toEqual([]);
    const record = await bot.services.health.get(TEST_TENANT_ID, ready.id);
    expect(record).toMatchObject({ subject: upn, problems: [] });
    expect(record?.checkedAt).toBeDefined();
  });

  it('when its password policy is reset, then one card offers Fix, which Megan presses and which sets it back at once', async () => {
    const shown = await breakAndSee(
      () => sim.change.setSignIn(upn, { passwordPolicies: null }),
      /^Its password can expire again$/,
    );
    expect(shown.fix).toBe('Set the password to never expire');
    const pressed = await running.invoke(
      HEALTH_VERBS.fix,
      { requestId: ready.id, problem: shown.code },
      MEGAN,
    );
    expect(text(pressed.value)).toContain('Fixed: Its password is set to never expire again.');
    expect(user()?.passwordPolicies).toBe('DisablePasswordExpiration');
    await expectHealthyAgainOnce();
  });

  it('when it is removed from the role group, then Fix is only asked by Alex, refused to Alex as approver, and run when Megan approves', async () => {
    const shown = await breakAndSee(
      () => sim.change.removeRoleGroupMember('App Impersonation', upn),
      /role group/,
    );
    expect(shown.fix).toBe('Add it to the role group again (a second admin approves)');
    const members = () =>
      sim
        .state()
        .roleGroups.find((g) => g.name === 'App Impersonation')
        ?.members.map((m) => m.userId) ?? [];
    const asked = await running.invoke(HEALTH_VERBS.fix, { requestId: ready.id, problem: shown.code }, ALEX);
    expect(text(asked.value)).toContain('a second admin must approve it');
    expect(members()).not.toContain(user()?.id);
    const forMegan = problemsOf(cardsTo(MEGAN).at(-1));
    expect(forMegan[0].approve).toBe('Approve fix (asked by Alex Wilber)');
    const self = await running.invoke(
      HEALTH_VERBS.approveFix,
      { requestId: ready.id, problem: shown.code },
      ALEX,
    );
    expect(self.value).toBe(
      'You asked for this fix, so you cannot approve it: another owner of the account must.',
    );
    expect(members()).not.toContain(user()?.id);
    const approved = await running.invoke(
      HEALTH_VERBS.approveFix,
      { requestId: ready.id, problem: shown.code },
      MEGAN,
    );
    expect(text(approved.value)).toContain('Fixed:');
    expect(members()).toContain(user()?.id);
    await expectHealthyAgainOnce();
    const trail = (await bot.audit.forRequest(TEST_TENANT_ID, ready.id)).map((r) => r.event);
    expect(trail).toEqual(
      expect.arrayContaining(['health problem', 'health fix asked', 'health fixed', 'healthy again']),
    );
  });

  it('when its sign-in is blocked elsewhere, then Enable the account is asked and approved, and it can sign in again', async () => {
    const shown = await breakAndSee(() => sim.change.setSignIn(upn, { accountEnabled: false }), /blocked/);
    expect(shown.fix).toBe('Enable the account (a second admin approves)');
    await running.invoke(HEALTH_VERBS.fix, { requestId: ready.id, problem: shown.code }, MEGAN);
    expect(user()?.accountEnabled).toBe(false);
    await running.invoke(HEALTH_VERBS.approveFix, { requestId: ready.id, problem: shown.code }, ALEX);
    expect(user()?.accountEnabled).toBe(true);
    await expectHealthyAgainOnce();
  });

  it('when its licence is removed, then Assign the licence again runs at once', async () => {
    const shown = await breakAndSee(
      () => sim.change.removeLicence(upn, SKUS.EXCHANGESTANDARD.skuId),
      /licence was removed/,
    );
    expect(shown.fix).toBe('Assign the licence again');
    await running.invoke(HEALTH_VERBS.fix, { requestId: ready.id, problem: shown.code }, ALEX);
    expect(user()?.assignedLicenses.map((l) => l.skuId)).toContain(SKUS.EXCHANGESTANDARD.skuId);
    await expectHealthyAgainOnce();
  });

  it('when its Reviewer permission on the public folders is removed, then the fix is approved by the other owner and gives it back', async () => {
    const shown = await breakAndSee(() => sim.change.removePublicFolderPermission(upn), /public folders/);
    expect(shown.fix).toBe('Give Reviewer on the public folders again (a second admin approves)');
    await running.invoke(HEALTH_VERBS.fix, { requestId: ready.id, problem: shown.code }, ALEX);
    await running.invoke(HEALTH_VERBS.approveFix, { requestId: ready.id, problem: shown.code }, MEGAN);
    const entry = sim.state().publicFolderPermissions.find((p) => p.user === user()?.id);
    expect(entry?.accessRights).toEqual(['Reviewer']);
    await expectHealthyAgainOnce();
  });

  it.each([
    [
      'security defaults are turned on',
      () => ({
        on: (s: TenantSimulator) => s.change.setSecurityDefaults(true),
        off: (s: TenantSimulator) => s.change.setSecurityDefaults(false),
      }),
      /^Security defaults are on$/,
    ],
    [
      'per-user MFA is enforced',
      () => ({
        on: (s: TenantSimulator, u: string) => s.change.setPerUserMfa(u, 'enforced'),
        off: (s: TenantSimulator, u: string) => s.change.setPerUserMfa(u, 'disabled'),
      }),
      /^Per-user MFA is turned on for it$/,
    ],
    [
      'it loses Global Administrator',
      () => ({
        on: (s: TenantSimulator, u: string) => s.change.removeDirectoryRole(u, ROLE.globalAdministrator),
        off: (s: TenantSimulator, u: string) => s.change.addDirectoryRole(u, ROLE.globalAdministrator),
      }),
      /^It holds neither Global Administrator nor /,
    ],
  ])(
    'when %s, then one card says so with no Fix, and undoing it is told once as healthy again',
    async (_name, make, title) => {
      const { on, off } = make();
      const shown = await breakAndSee(() => on(sim, upn), title);
      expect(shown.fix).toBeUndefined();
      off(sim, upn);
      await expectHealthyAgainOnce();
    },
  );

  it('when a Conditional Access policy for all users that asks for MFA is enabled, then one card names it; switched to report-only, healthy again', async () => {
    let policyId = '';
    const shown = await breakAndSee(() => {
      policyId = sim.change.addConditionalAccessPolicy({
        displayName: 'Require MFA for everyone',
        includeUsers: ['All'],
      });
    }, /^Conditional Access asks it for MFA \("Require MFA for everyone"\)$/);
    expect(shown.fix).toBeUndefined();
    sim.change.setConditionalAccessPolicyState(policyId, 'enabledForReportingButNotEnforced');
    await expectHealthyAgainOnce();
  });

  it('when `health` is typed by an admin, then every account is listed with its state and last check; a non-admin is refused', async () => {
    const mark = running.connector.calls.length;
    await running.say('health', MEGAN);
    const reply = running.connector.calls
      .slice(mark)
      .map((c) => String(c.body.text ?? ''))
      .join('\n');
    expect(reply).toContain('The one account I look after is healthy.');
    expect(reply).toMatch(
      new RegExp(
        `\\*\\*${upn.replace('.', '\\.')}\\*\\*: Healthy\\. \\(checked \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\)`,
      ),
    );
    const asked = running.connector.calls.length;
    await running.say('health', PATTI);
    const refused = running.connector.calls.slice(asked).map((c) => String(c.body.text ?? ''));
    expect(refused).toEqual([
      'Only a Global Administrator or Privileged Role Administrator can see the health of the service accounts.',
    ]);
  });

  it('when its domain is federated, then one card says a managed domain is needed, with no Fix', async () => {
    const shown = await breakAndSee(
      () => sim.change.federateDomain('contoso.com'),
      /^Its domain contoso\.com is now federated$/,
    );
    expect(shown.fix).toBeUndefined();
  });
});
