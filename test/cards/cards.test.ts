import fs from 'node:fs';
import path from 'node:path';
import { CARD_TEMPLATES, type CardData, type CardName, renderCard } from '../../cards/renderCard';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';

const FORM = { step: 'Step 2 of 6 · Account', formId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', notice: '' };

/** Sample data for every card; the type makes a new card without sample data a compile error. */
const SAMPLES: { [K in CardName]: CardData[K][] } = {
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
    { ...FORM, summary: 'Your tenant is ready.', blockers: [], warnings: [], continueTitle: 'Continue' },
    {
      ...FORM,
      summary: 'Two things stop the account.',
      blockers: [{ problem: 'Security defaults are on.', fix: 'Turn them off.' }],
      warnings: [{ problem: 'Five Global Administrators.', fix: 'Downgrade later.' }],
      continueTitle: 'I understand, continue',
    },
  ],
  account: [
    {
      ...FORM,
      displayName: 'CiraSync Service',
      username: 'cirasync-svc',
      domain: 'contoso.com',
      domains: [{ name: 'contoso.com' }, { name: 'contoso.onmicrosoft.com' }],
      errors: { displayName: '', username: 'cirasync-svc@contoso.com is already taken.', domain: '' },
    },
  ],
  contact: [
    {
      ...FORM,
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
      ...FORM,
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
      ...FORM,
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
      ...FORM,
      approverId: '',
      approverUpn: 'meganb@contoso.com',
      errors: { approverId: '', approverUpn: 'Not an admin.' },
    },
  ],
  review: [
    {
      ...FORM,
      account: [{ title: 'User name', value: 'cirasync-svc@contoso.com' }],
      contact: [{ title: 'City', value: 'Redmond' }],
      sync: [{ title: 'Syncs', value: 'Global Address List' }],
      approver: [{ title: 'Approver', value: 'Megan Bowen' }],
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
};

interface CardElement {
  type?: string;
  id?: string;
  label?: string;
  [key: string]: unknown;
}

function elements(node: unknown): CardElement[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (node === null || typeof node !== 'object') return [];
  const own = node as CardElement;
  return [own, ...Object.values(own).flatMap(elements)];
}

const cases = (Object.keys(SAMPLES) as CardName[]).flatMap((name) =>
  SAMPLES[name].map((data, index) => [name, index, data] as const),
);

describe('card templates', () => {
  it('when the cards folder is listed, then every JSON template is registered and has sample data', () => {
    const files = fs
      .readdirSync(path.join(__dirname, '..', '..', 'cards'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(CARD_TEMPLATES).sort());
    for (const name of files) expect(SAMPLES[name as CardName].length).toBeGreaterThan(0);
  });

  it.each(cases)(
    'when %s (sample %i) is expanded, then it is a valid Adaptive Card 1.5 with no ${ left',
    (name, _i, data) => {
      const card = renderCard(name, data as never);
      expect(card.version).toBe('1.5');
      const errors = validateAdaptiveCard(card);
      expect(errors).toEqual([]);
      const template = JSON.stringify(CARD_TEMPLATES[name]);
      const leftovers = JSON.stringify(card).match(/\$\{[^}]*\}/g) ?? [];
      // Data may legitimately contain "${" (user text); only template bindings must be gone.
      expect(leftovers.filter((l) => template.includes(l))).toEqual([]);
      expect(JSON.stringify(card)).not.toMatch(/"\$(when|data)"/);
    },
  );

  it.each(cases)(
    'when %s (sample %i) is expanded, then its inputs have unique ids and labels',
    (name, _i, data) => {
      const inputs = elements(renderCard(name, data as never)).filter(
        (e) => typeof e.type === 'string' && e.type.startsWith('Input.'),
      );
      const ids = inputs.map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const input of inputs) {
        expect(typeof input.id).toBe('string');
        expect(typeof input.label).toBe('string');
      }
      const labels = inputs.map((i) => i.label);
      expect(new Set(labels).size).toBe(labels.length);
    },
  );

  it('when a card misses a required property, then the schema check reports it (the validator can fail)', () => {
    const broken = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock' }] };
    expect(validateAdaptiveCard(broken).length).toBeGreaterThan(0);
  });

  it('when the help card has no notice, then the notice block is left out', () => {
    const card = renderCard('help', SAMPLES.help[0]);
    expect(JSON.stringify(card)).not.toContain('"color":"Attention"');
    expect(JSON.stringify(renderCard('help', SAMPLES.help[1]))).toContain('"color":"Attention"');
  });
});
