import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import {
  AppPackageError,
  buildAppPackage,
  fillPlaceholders,
  parseDotEnv,
  runCli,
  validateManifest,
} from '../../src/tools/packageApp';

const ROOT = path.join(__dirname, '..', '..');
const APP_PACKAGE = path.join(ROOT, 'appPackage');

const TEAMS_APP_ID = '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b';
const BOT_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const OTHER_BOT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const DEVELOPER = [
  'APP_DEVELOPER_NAME="Contoso IT"',
  'APP_WEBSITE_URL=https://contoso.example/bot',
  'APP_PRIVACY_URL=https://contoso.example/privacy',
  'APP_TERMS_OF_USE_URL=https://contoso.example/terms',
].join('\n');

let temp: string;
beforeEach(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-app-package-'));
});
afterEach(() => {
  fs.rmSync(temp, { recursive: true, force: true });
});

/** Writes env files under the temp folder; returns the env folder. */
function envFolder(files: Record<string, string>): string {
  const dir = path.join(temp, 'env');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function build(envName: string, files: Record<string, string>): string {
  return buildAppPackage({
    envName,
    rootDir: ROOT,
    envDir: envFolder(files),
    outputDir: path.join(temp, 'out'),
  });
}

function failure(action: () => unknown): AppPackageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppPackageError);
    return error as AppPackageError;
  }
  throw new Error('expected an AppPackageError');
}

function zippedManifest(zipPath: string): { text: string; manifest: Record<string, unknown> } {
  const text = new AdmZip(zipPath).readAsText('manifest.json');
  return { text, manifest: JSON.parse(text) as Record<string, unknown> };
}

describe('buildAppPackage', () => {
  it('when the environment sets every placeholder, then the zip holds the filled, valid manifest and the repo icons at its root', () => {
    const zipPath = build('test', {
      '.env.test': `TEAMS_APP_ID=${TEAMS_APP_ID}\nBOT_ID=${BOT_ID}\n${DEVELOPER}\n`,
    });

    expect(zipPath).toBe(path.join(temp, 'out', 'appPackage.test.zip'));
    const zip = new AdmZip(zipPath);
    expect(
      zip
        .getEntries()
        .map((entry) => entry.entryName)
        .sort(),
    ).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const { text, manifest } = zippedManifest(zipPath);
    expect(text).not.toContain('${{');
    expect(manifest.id).toBe(TEAMS_APP_ID);
    expect((manifest.bots as { botId: string }[])[0].botId).toBe(BOT_ID);
    expect((manifest.developer as { name: string }).name).toBe('Contoso IT');
    expect(validateManifest(manifest)).toEqual([]);
    for (const icon of ['color.png', 'outline.png']) {
      expect(zip.readFile(icon)?.equals(fs.readFileSync(path.join(APP_PACKAGE, icon)))).toBe(true);
    }
  });

  it('when placeholders have no value, then it fails naming each one and where it looked, and writes no zip', () => {
    const error = failure(() => build('dev', { '.env.dev': `BOT_ID=\n${DEVELOPER}\n` }));

    expect(error.problems).toEqual(['${{TEAMS_APP_ID}} has no value', '${{BOT_ID}} has no value']);
    expect(error.message).toContain(path.join(temp, 'env', '.env.dev'));
    expect(error.message).toContain(`${path.join(temp, 'env', '.env.dev.user')} (not present)`);
    expect(fs.existsSync(path.join(temp, 'out'))).toBe(false);
  });

  it('when the .user file sets a value, then it overrides the base file', () => {
    const zipPath = build('dev', {
      '.env.dev': `TEAMS_APP_ID=${TEAMS_APP_ID}\nBOT_ID=${BOT_ID}\n${DEVELOPER}\n`,
      '.env.dev.user': `BOT_ID=${OTHER_BOT_ID}\n`,
    });

    const { manifest } = zippedManifest(zipPath);
    expect((manifest.bots as { botId: string }[])[0].botId).toBe(OTHER_BOT_ID);
  });

  it('when the values make the manifest invalid, then it fails with the schema check’s findings', () => {
    const error = failure(() =>
      build('test', { '.env.test': `TEAMS_APP_ID=${TEAMS_APP_ID}\nBOT_ID=my-bot\n${DEVELOPER}\n` }),
    );

    expect(error.problems).toEqual([
      expect.stringMatching(/^manifest\.json \/bots\/0\/botId must match pattern/),
    ]);
  });

  it('when the environment file does not exist, then it fails naming it and the environments there', () => {
    const error = failure(() => build('prod', { '.env.local': '', '.env.dev': '', '.env.dev.user': '' }));

    expect(error.message).toContain(`${path.join(temp, 'env', '.env.prod')} does not exist`);
    expect(error.message).toMatch(/Environments in .*: (dev, local|local, dev)$/);
  });

  it('when packaging the repository’s own local environment, then it succeeds', () => {
    const zipPath = buildAppPackage({ envName: 'local', rootDir: ROOT, outputDir: temp });

    const { manifest } = zippedManifest(zipPath);
    expect(validateManifest(manifest)).toEqual([]);
  });
});

describe('parseDotEnv', () => {
  it('when the file has comments, blank lines, quotes, export prefixes and CRLF endings, then it reads the values', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = spaced out ',
      'DOUBLE="two words # not a comment"',
      "SINGLE='literal \\n kept # too'",
      'ESCAPED="line\\nbreak \\"quoted\\""',
      'TRAILING=value # comment',
      'QUOTED_TRAILING="kept" # comment',
      'EMPTY=',
      'EMPTY_QUOTED=""',
      'HASH_IN_VALUE=abc#def',
      'URL=https://contoso.example/a?b=c',
      'PLAIN=later wins',
    ].join('\r\n');

    expect(parseDotEnv(text)).toEqual({
      PLAIN: 'later wins',
      EXPORTED: 'yes',
      SPACED: 'spaced out',
      DOUBLE: 'two words # not a comment',
      SINGLE: 'literal \\n kept # too',
      ESCAPED: 'line\nbreak "quoted"',
      TRAILING: 'value',
      QUOTED_TRAILING: 'kept',
      EMPTY: '',
      EMPTY_QUOTED: '',
      HASH_IN_VALUE: 'abc#def',
      URL: 'https://contoso.example/a?b=c',
    });
  });

  it('when lines are malformed, then it reports each with its line number', () => {
    const error = failure(() => parseDotEnv('GOOD=1\nnot a setting\nOPEN="unterminated\n', 'env/.env.x'));

    expect(error.problems).toEqual([
      'env/.env.x:2: expected KEY=VALUE (with matching quotes), got "not a setting"',
      'env/.env.x:3: expected KEY=VALUE (with matching quotes), got "OPEN="unterminated"',
    ]);
  });
});

describe('fillPlaceholders', () => {
  it('when some names have no or an empty value, then it fills the others and lists each missing name once', () => {
    const filled = fillPlaceholders('${{A}} ${{ B }} ${{C}} ${{A}} ${{D}} ${{C}}', {
      A: 'a',
      B: 'b',
      C: ' ',
    });

    expect(filled).toEqual({ text: 'a b ${{C}} a ${{D}} ${{C}}', missing: ['C', 'D'] });
  });
});

describe('runCli', () => {
  /** A project folder in the temp dir: the repo's appPackage plus the given env files. */
  function project(files: Record<string, string>): string {
    fs.mkdirSync(path.join(temp, 'appPackage'));
    for (const file of ['manifest.json', 'color.png', 'outline.png']) {
      fs.copyFileSync(path.join(APP_PACKAGE, file), path.join(temp, 'appPackage', file));
    }
    envFolder(files);
    return temp;
  }
  function run(argv: string[], rootDir: string): { code: number; stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    const code = runCli(argv, {
      rootDir,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  }
  const LOCAL = `TEAMS_APP_ID=${TEAMS_APP_ID}\nBOT_ID=${BOT_ID}\n${DEVELOPER}\n`;

  it('when run without arguments, then it packages "local" into appPackage/build and prints the path', () => {
    const root = project({ '.env.local': LOCAL });

    const result = run([], root);

    const zipPath = path.join(root, 'appPackage', 'build', 'appPackage.local.zip');
    expect(result).toEqual({ code: 0, stdout: `Teams app package for "local": ${zipPath}\n`, stderr: '' });
    expect(fs.existsSync(zipPath)).toBe(true);
  });

  it('when a placeholder has no value, then it exits 1 with the problem on stderr', () => {
    const root = project({ '.env.dev': `TEAMS_APP_ID=${TEAMS_APP_ID}\n${DEVELOPER}\n` });

    const result = run(['dev'], root);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('${{BOT_ID}} has no value');
    expect(fs.existsSync(path.join(root, 'appPackage', 'build'))).toBe(false);
  });

  it('when given an unknown option or too many arguments, then it exits 1 with the usage', () => {
    const root = project({ '.env.local': LOCAL });

    for (const argv of [
      ['--out', 'x'],
      ['local', 'dev'],
    ]) {
      const result = run(argv, root);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Usage: npm run package -- [envName]');
    }
  });
});
