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
  appAccess: [
    {
      ...form('Step 2 of 4 · App access'),
      appId: '',
      appScope: 'organization',
      appScopeValue: '',
      appRoles: 'Application Contacts.ReadWrite',
      roles: [
        {
          title: 'Application Contacts.ReadWrite — contacts, read and write',
          value: 'Application Contacts.ReadWrite',
        },
        { title: 'Application Mail.Read — read mail', value: 'Application Mail.Read' },
      ],
      alsoAccount: 'false',
      accountBlocked: '',
      errors: { appId: '', appScopeValue: '', appRoles: '', alsoAccount: '' },
    },
    {
      ...form('Step 2 of 4 · App access'),
      appId: 'not-a-guid',
      appScope: 'filter',
      appScopeValue: "Department -eq 'Sales",
      appRoles: '',
      roles: [{ title: 'Application Contacts.ReadWrite', value: 'Application Contacts.ReadWrite' }],
      errors: {
        appId: 'That is not an application (client) id: it looks like 00000000-0000-0000-0000-000000000000.',
        appScopeValue: 'The filter has an unclosed quote.',
        appRoles: 'Pick at least one role.',
        alsoAccount: '',
      },
      alsoAccount: 'false',
      accountBlocked:
        'Security defaults are on: they require multi-factor authentication for every administrator, and the service account must sign in without MFA.',
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
  approval: [
    {
      requestId: '5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f',
      title: 'CiraSync Service (cirasync-svc@contoso.com)',
      status: 'Waiting for approval by Megan Bowen',
      statusColor: 'Accent',
      intro: 'Alex Wilber asks you to approve a new cloud account that will be a **Global Administrator**.',
      notice: '',
      people: [
        { title: 'Requested by', value: 'Alex Wilber' },
        { title: 'Expires', value: '2026-11-27 10:00 UTC' },
      ],
      outcome: [],
      account: [{ title: 'User name', value: 'cirasync-svc@contoso.com' }],
      contact: [{ title: 'City', value: 'Redmond' }],
      sync: [{ title: 'Public folders', value: 'No' }],
      canDecide: true,
      comment: '',
      commentError: 'Say why you reject it: the requester reads this.',
      canCancel: false,
      canResend: false,
      canReview: false,
      refreshUserIds: ['29:alex', '29:megan'],
    },
    {
      requestId: '5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f',
      title: 'CiraSync Service (cirasync-svc@contoso.com)',
      status: 'Rejected by Megan Bowen',
      statusColor: 'Attention',
      intro: '',
      notice: 'This request was already decided.',
      people: [{ title: 'Requested by', value: 'Alex Wilber' }],
      outcome: [
        { title: 'Outcome', value: 'Rejected' },
        { title: 'Comment', value: 'Use the existing ${svc.account}, please.' },
      ],
      account: [],
      contact: [],
      sync: [],
      canDecide: false,
      comment: '',
      commentError: '',
      canCancel: true,
      canResend: true,
      canReview: true,
      refreshUserIds: ['29:alex'],
    },
  ],
  progress: [
    {
      requestId: '5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f',
      account: 'cirasync-svc@contoso.com',
      status: 'Step 3 of 6 failed',
      statusColor: 'Attention',
      steps: [
        { mark: '✓', title: 'Create the user (password never expires) — created' },
        { mark: '✓', title: 'Assign Global Administrator — created' },
        { mark: '✗', title: 'Assign the mailbox licence' },
        { mark: '·', title: 'Add to the "App Impersonation" role group' },
      ],
      failure: 'There is no free seat of Exchange Online (Plan 1).',
      failureDetail: 'Graph request-id 0c1d…',
      note: '',
      facts: [{ title: 'Started', value: '2026-11-26 10:05 UTC' }],
      canRetry: true,
      canRemove: true,
      canConfirmRemove: false,
      canReveal: false,
      canReset: false,
      canDowngrade: false,
    },
    {
      requestId: '5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f',
      account: 'cirasync-svc@contoso.com',
      status: 'Ready',
      statusColor: 'Good',
      steps: [{ mark: '✓', title: 'Add to the "App Impersonation" role group — created' }],
      failure: '',
      failureDetail: '',
      note: 'Launch CiraSync Enterprise setup and sign in as cirasync-svc@contoso.com.',
      facts: [],
      canRetry: false,
      canRemove: false,
      canConfirmRemove: false,
      canReveal: true,
      canReset: true,
      canDowngrade: true,
    },
  ],
};
