import fs from 'node:fs';
import path from 'node:path';
import { CARD_TEMPLATES, type CardName, renderCard } from '../../cards/renderCard';
import { CARD_SAMPLES } from '../../cards/samples';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';

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

const cases = (Object.keys(CARD_SAMPLES) as CardName[]).flatMap((name) =>
  CARD_SAMPLES[name].map((data, index) => [name, index, data] as const),
);

describe('card templates', () => {
  it('when the cards folder is listed, then every JSON template is registered and has sample data', () => {
    const files = fs
      .readdirSync(path.join(__dirname, '..', '..', 'cards'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(CARD_TEMPLATES).sort());
    for (const name of files) expect(CARD_SAMPLES[name as CardName].length).toBeGreaterThan(0);
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
    const card = renderCard('help', CARD_SAMPLES.help[0]);
    expect(JSON.stringify(card)).not.toContain('"color":"Attention"');
    expect(JSON.stringify(renderCard('help', CARD_SAMPLES.help[1]))).toContain('"color":"Attention"');
  });
});
