/**
 * The request conversation in a tenant without ApplicationImpersonation (every Exchange Online tenant
 * today): pre-flight explains it and offers to grant CiraSync's own app instead; the app card is
 * checked against Graph before anything is submitted; the request that goes for approval grants the
 * app and creates no account.
 */
import { FORM_VERBS } from '../../cards/verbs';
import { CIRASYNC_SERVICE_PRINCIPAL, DISABLED_SERVICE_PRINCIPAL, SKUS } from '../../src/simulator';
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
    // The account's pre-flight notes (a report-only policy) do not apply to an app: not acknowledged.
    expect(request.details.acknowledgedWarnings).toEqual(['impersonationRetired']);
    expect(d.scheduler.works()).toEqual(['approval']);
    expect(h.simulator.calls().filter((c) => c.mutating && c.committed)).toEqual([]);
  });

  it('when the admin also asks for a service account, then the account cards follow the app card and the request makes both, without impersonation', async () => {
    const d = new DialogDriver(h);
    await d.say('new service account');
    // The account's own notes are still shown, as mattering only beside the app grant.
    expect(cardText(d.lastCard!)).toContain(
      'The notes below matter only if you also create a service account',
    );
    expect(cardText(d.lastCard!)).toContain('report-only');
    await d.press(FORM_VERBS.next, {});
    expect(JSON.stringify(d.lastCard)).toContain('"title":"Also create a service account"');
    await d.press(FORM_VERBS.next, {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      appScope: 'organization',
      appRoles: 'Application Contacts.ReadWrite',
      alsoAccount: 'true',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 3 of 7 · Account');
    await d.press(FORM_VERBS.next, {
      displayName: 'CiraSync Service',
      username: 'cirasync-pf',
      domain: 'contoso.com',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 4 of 7 · Contact information');
    await d.press(FORM_VERBS.next, { jobTitle: 'Service account', department: 'IT' });
    expect(stepOf(d.lastCard!)).toBe('Step 5 of 7 · Sync');
    await d.press(FORM_VERBS.next, {
      publicFolders: 'true',
      skuId: SKUS.EXCHANGESTANDARD.skuId,
      usageLocation: 'US',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 6 of 7 · Approver');
    await d.press(FORM_VERBS.next, { approverId: PEOPLE.megan.aadObjectId, approverUpn: '' });
    expect(stepOf(d.lastCard!)).toBe('Step 7 of 7 · Review');
    const review = cardText(d.lastCard!);
    expect(review).toContain('cirasync-pf@contoso.com');
    expect(review).toContain(`CiraSync (${CIRASYNC_SERVICE_PRINCIPAL.appId})`);
    expect(review).toContain('None: the app’s roles replace it');
    expect(review).toContain('Global Address List and public folders');

    // Edit on the review's Sync section opens the app card, then the sync card, then the review.
    await d.press(FORM_VERBS.edit, { section: 'sync' });
    expect(stepOf(d.lastCard!)).toBe('Step 2 of 7 · App access');
    expect(JSON.stringify(d.lastCard)).toContain(
      '"id":"alsoAccount","title":"Also create a service account","label":"Public folders","value":"true"',
    );
    await d.press(FORM_VERBS.next, {
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      appScope: 'organization',
      appRoles: 'Application Contacts.ReadWrite,Application Calendars.Read',
      alsoAccount: 'true',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 5 of 7 · Sync');
    await d.press(FORM_VERBS.next, {
      publicFolders: 'true',
      skuId: SKUS.EXCHANGESTANDARD.skuId,
      usageLocation: 'US',
    });
    expect(stepOf(d.lastCard!)).toBe('Step 7 of 7 · Review');

    const replies = await d.press(FORM_VERBS.submit);
    expect(replies.map((r) => r.text ?? '').join(' ')).toContain(
      'Your request for cirasync-pf@contoso.com and the app CiraSync is waiting for approval by Megan Bowen',
    );
    const [request] = await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId);
    expect(request.details).toMatchObject({
      username: 'cirasync-pf',
      domain: 'contoso.com',
      publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId },
      appAccess: {
        appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
        roles: ['Application Contacts.ReadWrite', 'Application Calendars.Read'],
        scope: { kind: 'organization' },
      },
    });
    expect(request.details.serviceAccount).toBeUndefined();
    // Beside an account, its own notes are acknowledged too.
    expect(request.details.acknowledgedWarnings).toEqual(
      expect.arrayContaining(['impersonationRetired', 'conditionalAccessReportOnly']),
    );
  });
});
