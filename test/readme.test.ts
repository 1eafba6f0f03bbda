import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../src/config';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('when a newcomer opens it, then the first two commands are the try-it and the test commands', () => {
    const commands = [...README.matchAll(/```sh\n([^\n]+)\n```/g)].map((m) => m[1]);
    expect(commands.slice(0, 2)).toEqual(['npm install && npm run dev', 'npm install && npm test']);
  });

  it('when the settings table is read, then it lists every setting with the default the code uses', () => {
    for (const setting of SETTINGS) {
      const row = README.split('\n').find((line) => line.startsWith(`| \`${setting.name}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`| ${setting.default} |`);
    }
  });

  it('when CI runs, then .ci/run runs the README test command', () => {
    const ci = fs.readFileSync(path.join(__dirname, '..', '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/npm install[^\n]*&& npm test/);
    expect(ci).toContain('npm ci');
  });
});
