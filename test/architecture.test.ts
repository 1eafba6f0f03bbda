/**
 * The import rules (docs/architecture.md) as `npm run deps` checks them: the tree keeps every one,
 * and a forbidden import of each kind is caught.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string, folders: string[]): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, [...folders, '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
  });
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
  it('when the repository is checked, then it keeps every rule', () => {
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
    [
      'src/teams/probe.ts',
      'teams-code-calls-use-cases',
      "import { x } from '../jobs/thing';\nexport const y = x;\n",
    ],
    [
      'src/useCases/probe.ts',
      'use-cases-tell-the-story',
      "import { x } from '../jobs/thing';\nexport const y = x;\n",
    ],
    [
      'src/useCases/probe.ts',
      'use-cases-tell-the-story',
      "import { TurnContext } from 'botbuilder';\nexport const y = TurnContext;\n",
    ],
    [
      'src/jobs/probe.ts',
      'jobs-stay-off-teams',
      "import { x } from '../../cards/thing';\nexport const y = x;\n",
    ],
    [
      'src/http/probe.ts',
      'adapters-from-the-root',
      "import { x } from '../adapters/thing';\nexport const y = x;\n",
    ],
    [
      'src/adapters/probe.ts',
      'adapters-serve-the-domain',
      "import { x } from '../useCases/thing';\nexport const y = x;\n",
    ],
    ['src/lib/probe.ts', 'lib-stands-alone', "import { x } from '../adapters/thing';\nexport const y = x;\n"],
    [
      'src/bot/probe.ts',
      'only-the-root-reads-config',
      "import { x } from '../config/thing';\nexport const y = x;\n",
    ],
    [
      'src/adapters/probe.ts',
      'simulator-from-the-root',
      "import { x } from '../simulator/thing';\nexport const y = x;\n",
    ],
    [
      'src/telemetry/probe.ts',
      'telemetry-stands-alone',
      "import { x } from '../adapters/thing';\nexport const y = x;\n",
    ],
    [
      'src/jobs/probe.ts',
      'telemetry-starts-at-the-root',
      "import { x } from '../telemetry/azureMonitor';\nexport const y = x;\n",
    ],
    [
      'src/domain/probe.ts',
      'domain-is-inward',
      "import { trace } from '@opentelemetry/api';\nexport const y = trace;\n",
    ],
  ])('when %s adds a forbidden import, then the check fails naming %s', (file, rule, text) => {
    const dir = tree({
      [file]: text,
      'src/telemetry/azureMonitor.ts': 'export const x = 1;\n',
      ...Object.fromEntries(
        ['src/adapters', 'src/jobs', 'src/useCases', 'src/config', 'src/simulator', 'cards'].map((folder) => [
          `${folder}/thing.ts`,
          'export const x = 1;\n',
        ]),
      ),
    });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const { status, output } = cruise(dir, [file.split('/')[0]]);
    expect(output).toContain(rule);
    expect(status).not.toBe(0);
  });
});
