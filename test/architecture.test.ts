/**
 * The import rules (docs/architecture.md) as `npm run deps` checks them: the tree keeps them, and a
 * forbidden import — a new one, also in a file that already has a listed violation — is caught.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const KNOWN = path.join(ROOT, '.dependency-cruiser-known-violations.json');

function cruise(cwd: string, folders: string[]): { status: number | null; output: string } {
  const run = spawnSync(
    DEPCRUISE,
    [...folders, '--config', CONFIG, '--ignore-known', KNOWN, '--output-type', 'err'],
    { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A throw-away tree of TypeScript files, by path. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-deps-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('the import rules', () => {
  it('when the repository is checked, then it keeps every rule (past the listed violations)', () => {
    const { status, output } = cruise(ROOT, ['src', 'dialogs', 'cards']);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it.each([
    [
      'src/domain/probe.ts',
      'domain-is-inward',
      "import { x } from '../adapters/thing';\nexport const y = x;\n",
    ],
    [
      'src/domain/probe.ts',
      'domain-is-inward',
      "import { TurnContext } from 'botbuilder';\nexport const y = TurnContext;\n",
    ],
    [
      'cards/probe.ts',
      'cards-draw-the-domain',
      "import { x } from '../src/adapters/thing';\nexport const y = x;\n",
    ],
    [
      'src/simulator/probe.ts',
      'simulator-stands-alone',
      "import { x } from '../adapters/thing';\nexport const y = x;\n",
    ],
    [
      'src/bot/probe.ts',
      'teams-code-calls-use-cases',
      "import { x } from '../adapters/thing';\nexport const y = x;\n",
    ],
  ])('when %s adds a forbidden import, then the check fails naming %s', (file, rule, text) => {
    const dir = tree({ [file]: text, 'src/adapters/thing.ts': 'export const x = 1;\n' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const { status, output } = cruise(dir, [file.split('/')[0]]);
    expect(output).toContain(rule);
    expect(status).not.toBe(0);
  });

  it('when a file with a listed violation gains a new forbidden import, then only the new one fails', () => {
    const dir = tree({
      'src/bot/formTurns.ts':
        "import { FormOwnerStore } from '../adapters/storage/formOwners';\nimport { JOB } from '../jobs/jobs';\nexport const y = [FormOwnerStore, JOB];\n",
      'src/adapters/storage/formOwners.ts': 'export class FormOwnerStore {}\n',
      'src/jobs/jobs.ts': "export const JOB = 'job';\n",
    });
    const { status, output } = cruise(dir, ['src']);
    expect(status).not.toBe(0);
    expect(output).toContain('src/bot/formTurns.ts → src/jobs/jobs.ts');
    expect(output).not.toContain('src/bot/formTurns.ts → src/adapters/storage/formOwners.ts');
  });
});
