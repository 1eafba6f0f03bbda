/**
 * The bot in a `current` tenant (ApplicationImpersonation gone), driven over HTTP as Teams drives it,
 * from Alex's first typed message to the ready message: pre-flight offers CiraSync's app instead, Alex
 * fills in the app card (a management scope and two roles), picks Megan and submits; Megan approves in
 * her own chat; the bot registers the app in Exchange, makes the scope, assigns each role, waits for
 * Test-ServicePrincipalAuthorization and tells both admins — and no user, no Global Administrator.
 */
import { FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { ROLE } from '../../src/domain/wellKnown';
import { CIRASYNC_SERVICE_PRINCIPAL, type TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { ConnectorCall } from '../support/fakeConnector';
import { untilState } from '../support/requests';

const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;

function cardIn(call: ConnectorCall | undefined): Record<string, unknown> {
  const attachments = call?.body.attachments as { content: Record<string, unknown> }[] | undefined;
  if (attachments === undefined) throw new Error(`Expected a card, got: ${String(call?.body.text)}`);
  return attachments[0].content;
}

function formIdIn(card: unknown): string {
  const id = JSON.stringify(card).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
  if (id === undefined) throw new Error(`no formId in ${JSON.stringify(card).slice(0, 300)}`);
  return id;
}

function stepOf(card: Record<string, unknown>): string {
  return String((card.body as { text?: string }[])[0].text);
}

describe('granting CiraSync’s app, from the first message to the ready message', () => {
  let running: TestBot;
  let simulator: TenantSimulator;

  beforeAll(async () => {
    running = await startTestBot({ settings: { SIMULATOR_SCENARIO: 'current' } });
    simulator = running.bot.tenant.simulator as TenantSimulator;
  });
  afterAll(async () => {
    await running?.close();
  });

  /** Posts made to Alex's chat since `from`. */
  const toAlexSince = (from: number): ConnectorCall[] =>
    running.connector.calls.slice(from).filter((c) => c.conversationId === ALEX_CHAT && c.method === 'POST');

  /** Waits for the next card the bot posts to Alex's chat after `from` calls. */
  async function nextCard(from: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const card = toAlexSince(from).find((c) => c.body.attachments !== undefined);
      if (card !== undefined) return cardIn(card);
      if (Date.now() > deadline) throw new Error('no card came to Alex’s chat');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Alex presses a form button with the inputs given; returns the card that comes next. */
  async function press(
    card: Record<string, unknown>,
    verb: string,
    inputs: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const before = running.connector.calls.length;
    const answer = await running.invoke(verb, { formId: formIdIn(card), verb, ...inputs }, ALEX);
    expect(answer.statusCode).toBe(200);
    return nextCard(before);
  }

  it('when Alex asks in chat and Megan approves, then the app holds its roles over the scope, both admins are told, and no account exists', async () => {
    const usersBefore = simulator.state().users.length;
    const adminsBefore = simulator
      .state()
      .roleAssignments.filter((a) => a.roleDefinitionId === ROLE.globalAdministrator).length;

    const before = running.connector.calls.length;
    await running.say('new service account', ALEX);
    const checks = await nextCard(before);
    expect(stepOf(checks)).toBe('Step 1 of 4 · Checks');
    expect(JSON.stringify(checks)).toContain('Grant CiraSync’s app instead');

    const appCard = await press(checks, FORM_VERBS.next);
    expect(stepOf(appCard)).toBe('Step 2 of 4 · App access');
    const approverCard = await press(appCard, FORM_VERBS.next, {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      appScope: 'filter',
      appScopeValue: "Department -eq 'Sales'",
      appRoles: 'Application Contacts.ReadWrite,Application Calendars.Read',
      alsoAccount: 'false',
    });
    expect(stepOf(approverCard)).toBe('Step 3 of 4 · Approver');
    const review = await press(approverCard, FORM_VERBS.next, { approverId: MEGAN.aadObjectId });
    expect(stepOf(review)).toBe('Step 4 of 4 · Review');
    expect(JSON.stringify(review)).toContain('None: no user and no Global Administrator is created');

    const beforeSubmit = running.connector.calls.length;
    await running.invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit }, ALEX);
    const [request] = await running.bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(request.details.appAccess).toMatchObject({
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      roles: ['Application Contacts.ReadWrite', 'Application Calendars.Read'],
      scope: { kind: 'filter', filter: "Department -eq 'Sales'" },
    });
    const deadline = Date.now() + 15_000;
    let megansCard: ConnectorCall | undefined;
    while (megansCard === undefined) {
      megansCard = running.connector.calls
        .slice(beforeSubmit)
        .find(
          (c) => c.conversationId !== ALEX_CHAT && JSON.stringify(c.body).includes(REQUEST_VERBS.approve),
        );
      if (megansCard === undefined && Date.now() > deadline) throw new Error('Megan never got the card');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const approval = JSON.stringify(megansCard.body);
    expect(approval).toContain('Application Contacts.ReadWrite');
    expect(approval).toContain('Application Calendars.Read');
    expect(approval).toContain("recipients matching Department -eq 'Sales'");
    expect(approval).toContain('"text":"App access"');
    expect(approval).not.toContain('"text":"Account"');

    const approved = await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN, {
      conversationId: megansCard.conversationId,
    });
    expect(JSON.stringify(approved.value)).toContain('Approved by Megan Bowen');

    const ready = await untilState(running.bot, request.id, 'Ready', 60_000);
    expect(ready.announcedAt).toBeDefined();
    const writes = simulator
      .calls()
      .filter((call) => call.mutating && call.committed)
      .map((call) => call.cmdlet ?? `${call.method} ${call.path}`);
    expect(writes).toEqual([
      'New-ServicePrincipal',
      'New-ManagementScope',
      'New-ManagementRoleAssignment',
      'New-ManagementRoleAssignment',
    ]);
    expect(simulator.state().users).toHaveLength(usersBefore);
    expect(
      simulator.state().roleAssignments.filter((a) => a.roleDefinitionId === ROLE.globalAdministrator),
    ).toHaveLength(adminsBefore);
    // Exchange itself now says the app holds both roles over the scope.
    const authorized = simulator
      .calls()
      .filter((c) => c.cmdlet === 'Test-ServicePrincipalAuthorization' && c.status === 200);
    expect(authorized.length).toBeGreaterThan(0);

    // The ready message follows the state change: wait for it.
    const readyDeadline = Date.now() + 15_000;
    const readyCards = () =>
      toAlexSince(beforeSubmit).filter((c) => JSON.stringify(c.body).includes('now holds'));
    while (readyCards().length === 0 && Date.now() < readyDeadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readyCards()).toHaveLength(1);
    const readyToAlex = JSON.stringify(readyCards()[0].body);
    expect(readyToAlex).toContain('now holds Application Contacts.ReadWrite, Application Calendars.Read');
    expect(readyToAlex).not.toContain('password');
    expect(readyToAlex).toContain('Granting the app access');
    // Each step once: the three steps and the wait, not a second list in other words.
    expect(readyToAlex.match(/"title":"✓"/g)).toHaveLength(4);
    expect(readyToAlex).not.toContain('service account');
    const trail = (await running.bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(trail).toEqual(expect.arrayContaining(['submitted', 'approved', 'provisioned', 'ready']));
  }, 90_000);
});
