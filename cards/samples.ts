/**
 * Sample data for every card template, shared by the card tests (test/cards/cards.test.ts) and
 * `npm run cards:render` (src/tools/renderCards.ts), which draws each sample to docs/cards/.
 */
import type { CardData, CardName } from './renderCard';

const FORM_ID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const form = (step: string) => ({ step, formId: FORM_ID, notice: '' });

/** Sample data for every card; the type makes a new card without sample data a compile error. */
export const CARD_SAMPLES: { [K in CardName]: CardData[K][] } = {
  help: [
    {
      title: 'Service Account Bot',
      notice: '',
      intro: 'Here is what I can do.',
      commands: [
        { name: 'new service account', description: 'Set up the account.' },
        { name: 'help', description: 'Show this list.' },
      ],
      footer: 'simulated tenant · version 0.1.0',
    },
    {
      title: 'Service Account Bot',
      notice: 'Sorry, I didn’t recognise that command.',
      intro: 'Type one of these commands:',
      commands: [{ name: 'status', description: 'Show your requests ${not.a.binding}.' }],
      footer: 'tenant contoso.onmicrosoft.com · version 0.1.0',
    },
  ],
  preflight: [
    {
      ...form('Step 1 of 6 · Checks'),
      summary: 'Your tenant is ready.',
      blockers: [],
      warnings: [],
      continueTitle: 'Continue',
    },
    {
      ...form('Step 1 of 6 · Checks'),
      summary: 'Two things stop the account.',
      blockers: [{ problem: 'Security defaults are on.', fix: 'Turn them off.' }],
      warnings: [{ problem: 'Five Global Administrators.', fix: 'Downgrade later.' }],
      continueTitle: 'I understand, continue',
    },
  ],
  account: [
    {
      ...form('Step 2 of 6 · Account'),
      displayName: 'CiraSync Service',
      username: 'cirasync-svc',
      domain: 'contoso.com',
      domains: [{ name: 'contoso.com' }, { name: 'contoso.onmicrosoft.com' }],
      errors: { displayName: '', username: 'cirasync-svc@contoso.com is already taken.', domain: '' },
    },
  ],
  contact: [
    {
      ...form('Step 3 of 6 · Contact information'),
      jobTitle: 'Service account',
      department: 'IT',
      businessPhone: '+1 425 555 0100',
      mobilePhone: '',
      streetAddress: '1 Microsoft Way',
      city: 'Redmond',
      state: 'WA',
      postalCode: '98052',
      country: 'United States',
      errors: {
        jobTitle: '',
        department: '',
        businessPhone: 'Use digits.',
        mobilePhone: '',
        streetAddress: '',
        city: '',
        state: '',
        postalCode: '',
        country: '',
      },
    },
  ],
  sync: [
    {
      ...form('Step 4 of 6 · Sync'),
      canSyncPublicFolders: true,
      noSeatsText: '',
      publicFolders: 'true',
      skuId: 'sku-1',
      licences: [{ skuId: 'sku-1', title: 'Exchange Online (Plan 1) — 4 free' }],
      usageLocation: 'US',
      countries: [
        { code: 'US', name: 'United States (US)' },
        { code: 'GB', name: 'United Kingdom (GB)' },
      ],
      errors: { skuId: '', usageLocation: '' },
    },
    {
      ...form('Step 4 of 6 · Sync'),
      canSyncPublicFolders: false,
      noSeatsText: 'No mailbox licence has a free seat.',
      publicFolders: 'false',
      skuId: '',
      licences: [],
      usageLocation: '',
      countries: [],
      errors: { skuId: '', usageLocation: '' },
    },
  ],
  approver: [
    {
      ...form('Step 5 of 6 · Approver'),
      approverId: '',
      approverUpn: 'meganb@contoso.com',
      errors: { approverId: '', approverUpn: 'Not an admin.' },
    },
  ],
  review: [
    {
      ...form('Step 6 of 6 · Review'),
      account: [{ title: 'User name', value: 'cirasync-svc@contoso.com' }],
      contact: [{ title: 'City', value: 'Redmond' }],
      sync: [{ title: 'Syncs', value: 'Global Address List' }],
      approver: [{ title: 'Name', value: 'Megan Bowen (meganb@contoso.com)' }],
    },
  ],
  formDone: [
    { title: '✓ Account', facts: [{ title: 'User name', value: 'cirasync-svc@contoso.com' }], note: '' },
  ],
  requestList: [
    {
      title: 'Your requests',
      intro: '1 request',
      requests: [
        {
          id: 'r1',
          account: 'CiraSync Service — cirasync-svc@contoso.com',
          state: 'Waiting for approval',
          approver: 'Megan Bowen',
          created: '2026-11-26 10:00 UTC',
          cancellable: true,
        },
      ],
    },
  ],
  auditList: [
    {
      title: 'Audit trail',
      intro: 'The last 2 events, newest first.',
      events: [
        {
          when: '2026-11-26 10:05 UTC',
          event: 'approved',
          outcome: 'Provisioning',
          actor: 'Megan Bowen',
          requestId: '5f0c…',
          detail: '',
        },
        {
          when: '2026-11-26 10:00 UTC',
          event: 'submitted',
          outcome: 'PendingApproval',
          actor: 'Alex Wilber',
          requestId: '5f0c…',
          detail: 'cirasync-svc@contoso.com, approver meganb@contoso.com',
        },
      ],
    },
  ],
};
