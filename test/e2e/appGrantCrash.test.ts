/**
 * Crash and resume with real processes on the RBAC for Applications path: in a `current` tenant
 * (ApplicationImpersonation gone) Alex asks for CiraSync's app to get two roles over a recipient
 * filter, with no service account, and Megan approves. The built bot is SIGKILLed as each Exchange
 * write is committed (it never hears the answer), once the call after it arrives (it heard it), and
 * while it polls Test-ServicePrincipalAuthorization; started again on the same DATA_DIR, it must reach
 * Ready with every write asked for and made exactly once, one ready message to Alex and one note to
 * Megan, and no user and no Global Administrator created.
 */
import { APP_ACCESS_PLAN } from '../../src/domain/appAccessSteps';
import type { StepName } from '../../src/domain/provisioningSteps';
import { CIRASYNC_SERVICE_PRINCIPAL, ROLE_IDS } from '../../src/simulator';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import {
  ALEX_CHAT,
  type CrashRig,
  type KillMoment,
  type AppGrantInputs,
  type KillTrigger,
  SALES_APP_GRANT,
  atWrite,
  waitUntil,
  withRig,
} from '../support/crashHarness';

/** The Exchange writes of the grant, in order: each must be asked for and made exactly once. */
const WRITES = [
  'New-ServicePrincipal',
  'New-ManagementScope',
  'New-ManagementRoleAssignment',
  'New-ManagementRoleAssignment',
];

/** The plan step that makes each write, and whether the step is done once the write is. */
const STEP_OF_WRITE: readonly { step: StepName; finishesStep: boolean }[] = [
  { step: 'exchangeServicePrincipal', finishesStep: true },
  { step: 'managementScope', finishesStep: true },
  { step: 'applicationRoles', finishesStep: false },
  { step: 'applicationRoles', finishesStep: true },
];

const ROLES = [...SALES_APP_GRANT.roles];
const FILTER = SALES_APP_GRANT.scopeValue ?? '';

/** The grant's steps before `step`, and `step` too when `inclusive`. */
function stepsUpTo(step: StepName, inclusive: boolean): string[] {
  const index = APP_ACCESS_PLAN.findIndex((s) => s.name === step) + (inclusive ? 1 : 0);
  return APP_ACCESS_PLAN.slice(0, index).map((s) => s.name);
}

/** A readiness poll after the last write: the bot is waiting for Exchange to apply the roles. */
const atReadinessPoll: KillTrigger = (call, writes) =>
  call.cmdlet === 'Test-ServicePrincipalAuthorization' && writes === WRITES.length;

/** A rig whose tenant has no ApplicationImpersonation. */
const inCurrentTenant = (run: (rig: CrashRig) => Promise<void>) => withRig(run, { scenario: 'current' });

interface Submitted {
  requestId: string;
  approverChat: string;
}

/** What must not change in the tenant: its users and its Global Administrators. */
function accountsOf(rig: CrashRig): { users: number; globalAdministrators: number } {
  const state = rig.sim.state();
  return {
    users: state.users.length,
    globalAdministrators: state.roleAssignments.filter(
      (a) => a.roleDefinitionId === ROLE_IDS.globalAdministrator,
    ).length,
  };
}

/** Starts the bot, has Alex ask for the grant, arms the kill and lets Megan approve; resolves once dead. */
async function approveAndKill(
  rig: CrashRig,
  trigger: KillTrigger,
  moment: KillMoment,
  grant: AppGrantInputs = SALES_APP_GRANT,
): Promise<{ request: Submitted; before: ReturnType<typeof accountsOf> }> {
  const before = accountsOf(rig);
  await rig.startBot();
  const request = await rig.submitAppRequest(grant);
  const killed = rig.killWhen(trigger, moment);
  await rig.approve(request);
  await killed;
  return { request, before };
}

/**
 * After the restart: Ready, each write asked for and made once, the app holding both roles over its
 * one scope, one ready card for Alex, one note for Megan, and no account made.
 */
async function expectReadyOnce(
  rig: CrashRig,
  request: Submitted,
  before: ReturnType<typeof accountsOf>,
  grant: { roles: readonly string[]; over: string; storedFilter: string } = {
    roles: ROLES,
    over: `recipients matching ${FILTER}`,
    storedFilter: FILTER,
  },
): Promise<void> {
  const roles = grant.roles;
  await rig.waitForReady(15_000);
  const approverNotes = () =>
    rig.connector.calls.filter(
      (c) => c.conversationId === request.approverChat && String(c.body.text ?? '').includes('now holds'),
    );
  await waitUntil(() => approverNotes().length > 0, 10_000);
  await rig.stopBot();

  const writes = [
    'New-ServicePrincipal',
    'New-ManagementScope',
    ...roles.map(() => 'New-ManagementRoleAssignment'),
  ];
  expect(rig.committedWrites()).toEqual(writes);
  expect(rig.attemptedWrites()).toEqual(writes);

  const ready = rig.readyMessages();
  expect(ready.map((c) => c.conversationId)).toEqual([ALEX_CHAT]);
  expect(JSON.stringify(ready[0].body)).toContain(
    // As the card's JSON spells it (a quote in a filter is escaped there).
    JSON.stringify(`now holds ${roles.join(', ')} in Exchange Online, over ${grant.over}`).slice(1, -1),
  );
  expect(approverNotes().map((c) => c.body.text)).toEqual([
    `CiraSync now holds ${roles.join(', ')} over ${grant.over}, as you approved for Alex Wilber. No account was created.`,
  ]);

  const stored = await rig.stored(request.requestId);
  expect(stored.state).toBe('Ready');
  expect(stored.savedSteps).toEqual(APP_ACCESS_PLAN.map((s) => s.name));
  expect(stored.events.filter((e) => e === 'provisioned' || e === 'ready')).toEqual(['provisioned', 'ready']);

  const tenant = rig.sim.state();
  expect(accountsOf(rig)).toEqual(before);
  expect(tenant.exchangeServicePrincipals.map((p) => [p.appId, p.objectId])).toEqual([
    [CIRASYNC_SERVICE_PRINCIPAL.appId, CIRASYNC_SERVICE_PRINCIPAL.id],
  ]);
  expect(tenant.managementScopes.map((s) => s.recipientFilter)).toEqual([grant.storedFilter]);
  expect(tenant.appRoleAssignments.map((a) => [a.role, a.app, a.scope])).toEqual(
    roles.map((role) => [role, CIRASYNC_SERVICE_PRINCIPAL.id, tenant.managementScopes[0].name]),
  );
}

const MOMENTS: readonly { moment: KillMoment; when: string }[] = [
  { moment: 'atCommit', when: 'as it is committed, before the bot hears back' },
  { moment: 'atNextCall', when: 'once the bot heard back and made its next call' },
];

const CASES = WRITES.flatMap((write, i) => MOMENTS.map((m) => ({ k: i + 1, write, ...m })));

describe('a bot granting CiraSync’s app, killed and started again', () => {
  beforeAll(() => assertTestCaTrusted());

  it.each(CASES)(
    'when the bot is killed at write $k ($write) $when, then the restarted bot reaches Ready with each write once, one ready message and one approver note',
    ({ k, moment }) =>
      inCurrentTenant(async (rig) => {
        const { request, before } = await approveAndKill(rig, atWrite(k), moment);

        // Write k is in the tenant; its step is saved only if the bot heard the answer and the step is done.
        const { step, finishesStep } = STEP_OF_WRITE[k - 1];
        expect(rig.committedWrites()).toEqual(WRITES.slice(0, k));
        expect(rig.attemptedWrites()).toEqual(WRITES.slice(0, k));
        const stored = await rig.stored(request.requestId);
        expect(stored.savedSteps).toEqual(stepsUpTo(step, moment === 'atNextCall' && finishesStep));
        expect(stored.state).toBe(
          moment === 'atNextCall' && k === WRITES.length ? 'AwaitingReplication' : 'Provisioning',
        );
        expect(rig.readyMessages()).toHaveLength(0);

        await rig.startBot();
        await expectReadyOnce(rig, request, before);
      }),
    60_000,
  );

  // Exchange keeps a scope's filter in its own form (a group as its distinguished name, its own casing
  // and quotes): after a lost answer, the scope this request made must still be recognised as its own.
  it.each([
    {
      how: 'a mail-enabled group',
      grant: {
        scope: 'group',
        scopeValue: 'Service account requesters',
        roles: ['Application Contacts.ReadWrite'],
      },
      over: 'members of Service account requesters',
      stored: /^MemberOfGroup -eq 'CN=Service account requesters,OU=/,
    },
    {
      how: 'a filter typed in lower case with double quotes',
      grant: {
        scope: 'filter',
        scopeValue: 'department -eq "Sales"',
        roles: ['Application Contacts.ReadWrite'],
      },
      over: 'recipients matching department -eq "Sales"',
      stored: /^Department -eq 'Sales'$/,
    },
  ] as const)(
    'when the scope is $how and the bot is killed as New-ManagementScope is committed, then the restarted bot takes the scope as its own and reaches Ready',
    ({ grant, over, stored }) =>
      inCurrentTenant(async (rig) => {
        const { request, before } = await approveAndKill(rig, atWrite(2), 'atCommit', grant);
        const storedFilter = rig.sim.state().managementScopes[0]?.recipientFilter ?? '';
        expect(storedFilter).toMatch(stored);
        await rig.startBot();
        await expectReadyOnce(rig, request, before, {
          roles: grant.roles,
          over,
          storedFilter,
        });
      }),
    60_000,
  );

  it(
    'when the bot is killed while it polls Exchange for the app’s roles, then the restarted bot reaches Ready and sends the one ready message and one approver note',
    () =>
      inCurrentTenant(async (rig) => {
        const { request, before } = await approveAndKill(rig, atReadinessPoll, 'atNextCall');

        expect(rig.committedWrites()).toEqual(WRITES);
        const stored = await rig.stored(request.requestId);
        expect(stored.state).toBe('AwaitingReplication');
        expect(stored.savedSteps).toEqual(APP_ACCESS_PLAN.map((s) => s.name));
        expect(rig.readyMessages()).toHaveLength(0);

        await rig.startBot();
        await expectReadyOnce(rig, request, before);
      }),
    60_000,
  );
});
