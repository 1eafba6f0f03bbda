/**
 * The request conversation, step by step, with DialogTestClient over the real Graph and Exchange
 * adapters against the simulated tenant.
 */
import { FORM_VERBS } from '../../cards/verbs';
import { FORM_INACTIVE_MESSAGE } from '../../dialogs/formPrompt';
import { REQUESTERS_GROUP_ID, SKUS } from '../../src/simulator';
import { cardOf, cardText, DialogDriver, PEOPLE, stepOf } from '../support/dialogDriver';
import { type Harness, startHarness } from '../support/tenantHarness';

const GOOD_ACCOUNT = { displayName: 'CiraSync Service', username: 'cirasync-svc', domain: 'contoso.com' };
const GOOD_CONTACT = {
  jobTitle: 'Service account',
  department: 'IT',
  businessPhone: '+1 (425) 555-0100 x12',
  mobilePhone: '',
  streetAddress: '1 Microsoft Way',
  city: 'Redmond',
  state: 'WA',
  postalCode: '98052',
  country: 'United States',
};
const WITH_PUBLIC_FOLDERS = {
  publicFolders: 'true',
  skuId: SKUS.EXCHANGESTANDARD.skuId,
  usageLocation: 'US',
};
const APPROVER = { approverId: PEOPLE.megan.aadObjectId, approverUpn: '' };

type Step = 'Checks' | 'Account' | 'Contact information' | 'Sync' | 'Approver' | 'Review';
const ORDER: Step[] = ['Checks', 'Account', 'Contact information', 'Sync', 'Approver', 'Review'];
const INPUTS: Record<Step, Record<string, unknown>> = {
  Checks: {},
  Account: GOOD_ACCOUNT,
  'Contact information': GOOD_CONTACT,
  Sync: WITH_PUBLIC_FOLDERS,
  Approver: APPROVER,
  Review: {},
};

function currentStep(d: DialogDriver): string {
  return stepOf(d.lastCard ?? { body: [] }).replace(/^Step \d of 6 · /, '');
}

/** Starts the dialog and walks forward until `target` is shown. */
async function walkTo(d: DialogDriver, target: Step): Promise<void> {
  await d.say('new service account');
  while (currentStep(d) !== target) {
    const step = currentStep(d) as Step;
    await d.press(FORM_VERBS.next, INPUTS[step]);
  }
}

function errorsOf(d: DialogDriver): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && o.color === 'Attention' && typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(d.lastCard?.body);
  return texts.join(' | ');
}

describe('the new service account conversation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('classic');
  });
  afterAll(async () => h.simulator.close());

  it('when an admin completes every step, then the request is stored waiting for approval, with an audit record', async () => {
    const d = new DialogDriver(h);
    await walkTo(d, 'Review');
    const review = cardText(d.lastCard!);
    expect(review).toContain('cirasync-svc@contoso.com');
    expect(review).toContain('Megan Bowen');
    expect(review).toContain('Exchange Online (Plan 1)');
    const replies = await d.press(FORM_VERBS.submit);
    expect(replies.map((r) => r.text ?? '').join(' ')).toMatch(/waiting for approval by Megan Bowen/);
    const [request] = await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId);
    expect(request).toMatchObject({
      state: 'PendingApproval',
      version: 1,
      requester: { aadObjectId: PEOPLE.alex.aadObjectId },
      approver: { aadObjectId: PEOPLE.megan.aadObjectId, userPrincipalName: 'meganb@contoso.com' },
      details: {
        displayName: 'CiraSync Service',
        username: 'cirasync-svc',
        domain: 'contoso.com',
        usageLocation: 'US',
        publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId },
        contact: { city: 'Redmond', postalCode: '98052', businessPhone: '+1 (425) 555-0100 x12' },
      },
    });
    const audit = await d.audit.forRequest(h.simulator.tenantId, request.id);
    expect(audit.map((a) => [a.event, a.actor.aadObjectId])).toEqual([
      ['submitted', PEOPLE.alex.aadObjectId],
    ]);
    expect(h.simulator.mutatingCalls()).toEqual([]);
  });

  it('when the first card appears, then it is the tenant check with its warnings to acknowledge', async () => {
    const d = new DialogDriver(h);
    await d.say('new service account');
    expect(currentStep(d)).toBe('Checks');
    const card = d.lastCard!;
    expect(cardText(card)).toMatch(/report-only/);
    expect(card.actions?.map((a) => a.title)).toEqual(['I understand, continue', 'Cancel']);
  });

  it.each(ORDER.slice(1).map((s, i) => [s, ORDER[i]] as const))(
    'when Back is pressed on %s, then %s is shown again with its values',
    async (step, previous) => {
      const d = new DialogDriver(h);
      await walkTo(d, step);
      await d.press(FORM_VERBS.back);
      expect(currentStep(d)).toBe(previous);
      if (previous === 'Account') expect(JSON.stringify(d.lastCard)).toContain('"value":"cirasync-svc"');
      if (previous === 'Contact information')
        expect(JSON.stringify(d.lastCard)).toContain('"value":"Redmond"');
      await d.press(FORM_VERBS.next, INPUTS[previous]);
      expect(currentStep(d)).toBe(step);
    },
  );

  it.each(['account', 'contact', 'sync', 'approver'] as const)(
    'when Edit is pressed for %s on the review, then that card comes back filled in and then the review',
    async (section) => {
      const d = new DialogDriver(h);
      await walkTo(d, 'Review');
      await d.press(FORM_VERBS.edit, { section });
      const titles: Record<typeof section, Step> = {
        account: 'Account',
        contact: 'Contact information',
        sync: 'Sync',
        approver: 'Approver',
      };
      expect(currentStep(d)).toBe(titles[section]);
      const changed =
        section === 'account'
          ? { ...GOOD_ACCOUNT, displayName: 'CiraSync Sync Account' }
          : section === 'contact'
            ? { ...GOOD_CONTACT, city: 'Seattle' }
            : section === 'sync'
              ? { publicFolders: 'false' }
              : { approverId: '', approverUpn: 'adelev@contoso.com' };
      await d.press(FORM_VERBS.next, changed);
      expect(currentStep(d)).toBe('Review');
      const expected = {
        account: 'CiraSync Sync Account',
        contact: 'Seattle',
        sync: 'Global Address List',
        approver: 'Adele Vance',
      }[section];
      expect(cardText(d.lastCard!)).toContain(expected);
    },
  );

  it.each(['adelev', 'AdeleV', ' adelev@contoso.com '])(
    'when the admin types the approver as %s (a bare user name or a sign-in name), then that admin is found',
    async (typed) => {
      const d = new DialogDriver(h);
      await walkTo(d, 'Approver');
      await d.press(FORM_VERBS.next, { approverId: '', approverUpn: typed });
      expect(currentStep(d)).toBe('Review');
      expect(cardText(d.lastCard!)).toContain('Adele Vance');
    },
  );

  it('when the admin types a bare user name nobody has, then the card says it was not found', async () => {
    const d = new DialogDriver(h);
    await walkTo(d, 'Approver');
    await d.press(FORM_VERBS.next, { approverId: '', approverUpn: 'nobodyhere' });
    expect(currentStep(d)).toBe('Approver');
    expect(errorsOf(d)).toMatch(/could not find nobodyhere/);
  });

  it.each(ORDER)('when Cancel is pressed on %s, then nothing is stored and the form closes', async (step) => {
    const d = new DialogDriver(h);
    await walkTo(d, step);
    const replies = await d.press(FORM_VERBS.cancel);
    expect(replies.map((r) => r.text)).toContain('Cancelled. Nothing was created.');
    expect(await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId)).toEqual([]);
  });

  it('when cancel is typed in the middle, then the form closes', async () => {
    const d = new DialogDriver(h);
    await walkTo(d, 'Sync');
    const replies = await d.say('Cancel');
    expect(replies.map((r) => r.text)).toContain('Cancelled. Nothing was created.');
  });

  it.each<[string, Step, Record<string, unknown>, RegExp]>([
    ['an empty display name', 'Account', { ...GOOD_ACCOUNT, displayName: '' }, /display name/i],
    ['a username with spaces', 'Account', { ...GOOD_ACCOUNT, username: 'cira sync' }, /allowed|can use/i],
    ['a username too long', 'Account', { ...GOOD_ACCOUNT, username: 'x'.repeat(65) }, /64/],
    [
      'a taken username',
      'Account',
      { ...GOOD_ACCOUNT, username: 'alexw' },
      /already taken by Alex Wilber.*alexw2/,
    ],
    ['a federated domain', 'Account', { ...GOOD_ACCOUNT, domain: 'fabrikam.com' }, /managed domains/],
    [
      'a bad phone number',
      'Contact information',
      { ...GOOD_CONTACT, businessPhone: 'call me maybe' },
      /phone/i,
    ],
    ['a bad postal code', 'Contact information', { ...GOOD_CONTACT, postalCode: '98052!!' }, /postal/i],
    ['no usage location', 'Sync', { ...WITH_PUBLIC_FOLDERS, usageLocation: '' }, /usage location|country/i],
    ['an unknown usage location', 'Sync', { ...WITH_PUBLIC_FOLDERS, usageLocation: 'ZZ' }, /ZZ|country/i],
    [
      'a licence that was not offered',
      'Sync',
      { ...WITH_PUBLIC_FOLDERS, skuId: SKUS.M365_F1.skuId },
      /licences listed/,
    ],
    [
      'the requester as approver',
      'Approver',
      { approverId: PEOPLE.alex.aadObjectId },
      /cannot approve your own request/,
    ],
    [
      'a non-admin approver',
      'Approver',
      { approverId: PEOPLE.isaiah.aadObjectId },
      /Isaiah Langer is not a Global Administrator or Privileged Role Administrator/,
    ],
    [
      'an unknown approver',
      'Approver',
      { approverId: '', approverUpn: 'nobody@contoso.com' },
      /could not find nobody@contoso\.com/,
    ],
    ['no approver at all', 'Approver', { approverId: '', approverUpn: '' }, /Pick the approver/],
    [
      'a person picked from a list that sends its own ids',
      'Approver',
      { approverId: 'playground-adelev', approverUpn: '' },
      /cannot look up the person you picked.*Type their email address or user name/,
    ],
  ])(
    'when the admin enters %s, then the same card comes back with the error and the values kept',
    async (_name, step, inputs, error) => {
      const d = new DialogDriver(h);
      await walkTo(d, step);
      const before = d.lastCard!;
      await d.press(FORM_VERBS.next, inputs);
      expect(currentStep(d)).toBe(step);
      expect(errorsOf(d)).toMatch(error);
      for (const value of Object.values(inputs)) {
        if (typeof value === 'string' && value !== '' && value.length < 60 && step !== 'Approver')
          expect(JSON.stringify(d.lastCard)).toContain(value);
      }
      expect(d.lastCard).not.toBe(before);
      await d.press(FORM_VERBS.next, INPUTS[step]);
      expect(currentStep(d)).not.toBe(step);
    },
  );

  it('when a disabled user is named as approver, then they are refused', async () => {
    const disabled = h.simulator.state().users.find((u) => !u.accountEnabled);
    expect(disabled).toBeDefined();
    const d = new DialogDriver(h);
    await walkTo(d, 'Approver');
    await d.press(FORM_VERBS.next, { approverId: disabled!.id });
    expect(errorsOf(d)).toMatch(/disabled/);
  });

  it('when an earlier card is pressed again, then it is answered as no longer active and nothing moves', async () => {
    const d = new DialogDriver(h);
    await walkTo(d, 'Account');
    const accountCard = d.lastCard!;
    await d.press(FORM_VERBS.next, GOOD_ACCOUNT);
    expect(currentStep(d)).toBe('Contact information');
    const replies = await d.press(FORM_VERBS.next, GOOD_ACCOUNT, accountCard);
    expect(replies.map((r) => r.text)).toEqual([FORM_INACTIVE_MESSAGE]);
    expect(currentStep(d)).toBe('Contact information');
  });

  it('when a non-admin asks for a service account, then the refusal names the roles needed', async () => {
    const d = new DialogDriver(h, PEOPLE.isaiah);
    const replies = await d.say('new service account');
    expect(replies.map((r) => r.text).join(' ')).toMatch(
      /Only a Global Administrator or Privileged Role Administrator/,
    );
  });

  it('when a requester group is configured, then its members may ask and everyone else is told who may', async () => {
    const member = new DialogDriver(h, PEOPLE.isaiah, { requesterGroupId: REQUESTERS_GROUP_ID });
    await member.say('new service account');
    expect(currentStep(member)).toBe('Checks');
    const outsider = new DialogDriver(h, PEOPLE.patti, { requesterGroupId: REQUESTERS_GROUP_ID });
    const replies = await outsider.say('new service account');
    expect(replies.map((r) => r.text).join(' ')).toMatch(/or a member of the requester group/);
    const checks = h.simulator.calls().filter((c) => c.path.endsWith('/checkMemberGroups'));
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.every((c) => !c.mutating)).toBe(true);
  });

  it('when a Privileged Role Administrator asks, then the conversation starts', async () => {
    const d = new DialogDriver(h, PEOPLE.adele);
    await d.say('new service account');
    expect(cardOf({ attachments: [{ contentType: '', content: d.lastCard }] }).body.length).toBeGreaterThan(
      0,
    );
    expect(currentStep(d)).toBe('Checks');
  });
});

describe('the conversation when Microsoft 365 does not answer', () => {
  it('when Graph is unavailable while the name is checked, then the card comes back with a notice and the values kept', async () => {
    const h = await startHarness('classic');
    try {
      const d = new DialogDriver(h);
      await walkTo(d, 'Account');
      h.simulator.faults.inject({
        api: 'graph',
        method: 'GET',
        pathPattern: /\/users\//,
        times: Infinity,
        status: 503,
      });
      await d.press(FORM_VERBS.next, { ...GOOD_ACCOUNT, username: 'svc-during-outage' });
      expect(currentStep(d)).toBe('Account');
      expect(errorsOf(d)).toMatch(/could not check this with Microsoft 365 just now/);
      expect(JSON.stringify(d.lastCard)).toContain('"value":"svc-during-outage"');
      h.simulator.faults.clear();
      await d.press(FORM_VERBS.next, GOOD_ACCOUNT);
      expect(currentStep(d)).toBe('Contact information');
    } finally {
      await h.simulator.close();
    }
  });

  it('when a forged press sends a list field as text, then the card keeps its own lists', async () => {
    const h = await startHarness('classic');
    try {
      const d = new DialogDriver(h);
      await walkTo(d, 'Account');
      h.simulator.faults.inject({
        api: 'graph',
        method: 'GET',
        pathPattern: /\/users\//,
        times: Infinity,
        status: 503,
      });
      await d.press(FORM_VERBS.next, { ...GOOD_ACCOUNT, domains: 'evil.com', step: 'forged' });
      expect(stepOf(d.lastCard!)).toBe('Step 2 of 6 · Account');
      expect(JSON.stringify(d.lastCard)).toContain('@contoso.com');
      expect(JSON.stringify(d.lastCard)).not.toContain('evil.com');
    } finally {
      await h.simulator.close();
    }
  });
});

describe('status and cancel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('classic');
  });
  afterAll(async () => h.simulator.close());

  async function submitOne(d: DialogDriver, username: string): Promise<void> {
    await d.say('new service account');
    for (const step of ORDER.slice(0, 5)) {
      const inputs = step === 'Account' ? { ...GOOD_ACCOUNT, username } : INPUTS[step];
      await d.press(FORM_VERBS.next, inputs);
    }
    await d.press(FORM_VERBS.submit);
  }

  it('when an admin has no requests, then status and cancel say so', async () => {
    const d = new DialogDriver(h);
    expect((await d.say('status')).map((r) => r.text)).toEqual([
      'You have no requests yet. Type `new service account` to make one.',
    ]);
    expect((await d.say('cancel')).map((r) => r.text)).toEqual([
      'There is nothing to cancel: no form is open and none of your requests is waiting for approval.',
    ]);
  });

  it('when an admin has a pending request, then status lists it and cancel withdraws it, audited', async () => {
    const d = new DialogDriver(h);
    await submitOne(d, 'svc-status-1');
    await d.say('status');
    expect(cardText(d.lastCard!)).toMatch(/svc-status-1@contoso\.com.*Waiting for approval.*Megan Bowen/);
    const replies = await d.say('cancel');
    expect(replies.map((r) => r.text)).toEqual([
      'Cancelled your request for svc-status-1@contoso.com. Nothing was created.',
    ]);
    const [request] = await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId);
    expect([request.state, request.version]).toEqual(['Cancelled', 2]);
    const audit = await d.audit.forRequest(h.simulator.tenantId, request.id);
    expect(audit.map((a) => a.event)).toEqual(['submitted', 'cancelled']);
    await d.say('status');
    expect(cardText(d.lastCard!)).toContain('Cancelled');
  });

  it('when an admin has two pending requests, then cancel asks which one', async () => {
    const d = new DialogDriver(h);
    await submitOne(d, 'svc-two-1');
    await submitOne(d, 'svc-two-2');
    await d.say('cancel');
    const card = d.lastCard!;
    expect(cardText(card)).toMatch(/Which request\?/);
    expect(JSON.stringify(card).match(/"title":"Cancel this request"/g)).toHaveLength(2);
    const pending = await d.requests.listByRequester(h.simulator.tenantId, PEOPLE.alex.aadObjectId);
    expect(pending.every((r) => r.state === 'PendingApproval')).toBe(true);
  });

  it('when an admin types audit, then the newest events are listed; anyone else is refused', async () => {
    const d = new DialogDriver(h);
    await submitOne(d, 'svc-audit-1');
    await d.say('audit');
    expect(cardText(d.lastCard!)).toMatch(/Audit trail.*submitted · Waiting for approval.*Alex Wilber/);
    expect(cardText(d.lastCard!)).not.toMatch(/PendingApproval|event\(s\)/);
    await walkTo(d, 'Sync');
    const syncCard = d.lastCard!;
    await d.say('audit');
    expect(cardText(d.lastCard!)).toMatch(/Audit trail/);
    await d.press(FORM_VERBS.next, WITH_PUBLIC_FOLDERS, syncCard);
    expect(currentStep(d)).toBe('Approver');
    const outsider = new DialogDriver(h, PEOPLE.isaiah);
    const replies = await outsider.say('audit');
    expect(replies.map((r) => r.text)).toEqual([
      'Only a Global Administrator or Privileged Role Administrator can read the audit trail.',
    ]);
  });

  it('when help is typed in the middle of a request, then the commands are shown and the form stays open', async () => {
    const d = new DialogDriver(h);
    await walkTo(d, 'Contact information');
    const contactCard = d.lastCard!;
    await d.say('help');
    expect(cardText(d.lastCard!)).toMatch(/You are filling in a request/);
    await d.press(FORM_VERBS.next, GOOD_CONTACT, contactCard);
    expect(currentStep(d)).toBe('Sync');
  });
});
