/**
 * The request conversation in a tenant without ApplicationImpersonation (every Exchange Online tenant
 * today): pre-flight explains it and offers to grant CiraSync's own app instead; the app card is
 * checked against Graph before anything is submitted; the request that goes for approval grants the
 * app and creates no account.
 */
import { FORM_VERBS } from '../../cards/verbs';
import { CIRASYNC_SERVICE_PRINCIPAL, DISABLED_SERVICE_PRINCIPAL } from '../../src/simulator';
import { cardText, DialogDriver, PEOPLE, stepOf } from '../support/dialogDriver';
import { type Harness, startHarness } from '../support/tenantHarness';

function errorsOf(d: DialogDriver): string {
  return (
    JSON.stringify(d.lastCard?.body ?? [])
      .match(/"text":"[^"]*","color":"Attention"/g)
      ?.join(' | ') ?? ''
  );
}

describe('the conversation when ApplicationImpersonation is gone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('current');
  });
  afterAll(async () => h.simulator.close());

  it('when the admin takes the offer, then the app card, the approver and the review make a request that grants the app and no account', async () => {
    const d = new DialogDriver(h);
    await d.say('new service account');
    const checks = cardText(d.lastCard!);
    expect(stepOf(d.lastCard!)).toBe('Step 1 of 4 · Checks');
    expect(checks).toContain(
      'Microsoft removed the ApplicationImpersonation role from Exchange Online in February 2025',
    );
    expect(JSON.stringify(d.lastCard)).toContain('"title":"Grant CiraSync’s app instead"');

    await d.press(FORM_VERBS.next, {});
    expect(stepOf(d.lastCard!)).toBe('Step 2 of 4 · App access');
    expect(cardText(d.lastCard!)).toContain(
      'Application Contacts.ReadWrite — Create, read, update and delete contacts',
    );

    // Refused on the card, before approval: not an id, no such app, a disabled app, a broken filter.
    await d.press(FORM_VERBS.next, {
      appId: 'cirasync',
      appScope: 'organization',
      appRoles: 'Application Contacts.ReadWrite',
    });
    expect(errorsOf(d)).toContain('That is not an application (client) id');
    await d.press(FORM_VERBS.next, {
      appId: '00000000-1111-4222-8333-444444444444',
      appScope: 'organization',
      appRoles: 'Application Contacts.ReadWrite',
    });
    expect(errorsOf(d)).toContain('No enterprise application in this tenant has the application id');
    await d.press(FORM_VERBS.next, {
      appId: DISABLED_SERVICE_PRINCIPAL.appId,
      appScope: 'organization',
      appRoles: 'Application Contacts.ReadWrite',
    });
    expect(errorsOf(d)).toContain('is disabled in Microsoft Entra ID');
    await d.press(FORM_VERBS.next, {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      appScope: 'filter',
      appScopeValue: "Department -eq 'Sales",
      appRoles: 'Application Contacts.ReadWrite,Application Teleport.Anywhere',
    });
    expect(errorsOf(d)).toContain('The filter has an unclosed quote.');
    expect(errorsOf(d)).toContain('These are not Exchange application roles: Application Teleport.Anywhere.');

    await d.press(FORM_VERBS.next, {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId.toUpperCase(),
      appScope: 'filter',
      appScopeValue: "CustomAttribute1 -eq 'CiraSync'",
      appRoles: 'Application Contacts.ReadWrite',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 3 of 4 · Approver');
    await d.press(FORM_VERBS.next, { approverId: PEOPLE.megan.aadObjectId, approverUpn: '' });
    expect(stepOf(d.lastCard!)).toBe('Step 4 of 4 · Review');
    const review = cardText(d.lastCard!);
    expect(review).toContain(`CiraSync (${CIRASYNC_SERVICE_PRINCIPAL.appId})`);
    expect(review).toContain("recipients matching CustomAttribute1 -eq 'CiraSync'");
    expect(review).toContain('None: no user and no Global Administrator is created');

    const replies = await d.press(FORM_VERBS.submit);
    expect(replies.map((r) => r.text ?? '').join(' ')).toContain(
      'Your request for the app CiraSync is waiting for approval by Megan Bowen',
    );
    const [request] = await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId);
    expect(request).toMatchObject({
      state: 'PendingApproval',
      approver: { aadObjectId: PEOPLE.megan.aadObjectId },
      details: {
        serviceAccount: false,
        acknowledgedWarnings: expect.arrayContaining(['impersonationRetired']),
        appAccess: {
          appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
          servicePrincipalId: CIRASYNC_SERVICE_PRINCIPAL.id,
          displayName: 'CiraSync',
          roles: ['Application Contacts.ReadWrite'],
          scope: { kind: 'filter', filter: "CustomAttribute1 -eq 'CiraSync'" },
        },
      },
    });
    expect(d.scheduler.works()).toEqual(['approval']);
    expect(h.simulator.calls().filter((c) => c.mutating && c.committed)).toEqual([]);
  });
});
