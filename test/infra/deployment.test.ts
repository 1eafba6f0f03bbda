/**
 * The deployment files agree with the code: env/.env.dev lists exactly the permissions the bot checks
 * (src/domain/permissions.ts); every app setting infra/ writes is one the bot documents
 * (src/config/settings.ts) or App Service's own; every placeholder of the parameters file is defined
 * for the Toolkit; and m365agents.yml deploys a production build of the right template.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../src/config';
import { REQUIRED_PERMISSIONS } from '../../src/domain/permissions';
import { parseDotEnv } from '../../src/tools/packageApp';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The comment block just above `AAD_APP_CLIENT_ID=` in env/.env.dev, as one line of text. */
function permissionComment(envText: string): string {
  const lines = envText.split('\n');
  const at = lines.findIndex((line) => line.startsWith('AAD_APP_CLIENT_ID='));
  expect(at).toBeGreaterThan(0);
  const block: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i].startsWith('#'); i--) block.unshift(lines[i].replace(/^#\s*/, ''));
  return block.join(' ');
}

/** Names of the app settings a Bicep file writes: `name: 'X'` followed by `value:`. */
function appSettingNames(bicep: string): string[] {
  return [...bicep.matchAll(/name:\s*'([^']+)'\s*\n\s*value:/g)].map((m) => m[1]);
}

function bicepFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(rel);
    return entry.name.endsWith('.bicep') ? [rel] : [];
  });
}

describe('env/.env.dev', () => {
  const text = read('env/.env.dev');

  it('when an admin reads the permission list, then it names exactly what the bot checks, per API', () => {
    const comment = permissionComment(text);
    const listed = new Map<string, string[]>();
    for (const [, api, list] of comment.matchAll(/(Microsoft Graph|Office 365 Exchange Online): ([^;]+);/g)) {
      listed.set(
        api,
        [...list.matchAll(/\b[A-Z][A-Za-z]*(?:\.[A-Z][A-Za-z]*)+\b/g)].map((m) => m[0]),
      );
    }
    for (const api of ['Microsoft Graph', 'Office 365 Exchange Online'] as const) {
      const needed = REQUIRED_PERMISSIONS.filter((need) => need.api === api).map((need) => need.permission);
      expect([...(listed.get(api) ?? [])].sort()).toEqual([...needed].sort());
    }
  });

  it('when a permission is needed only with groups, then the list says so next to it', () => {
    const comment = permissionComment(text);
    for (const need of REQUIRED_PERMISSIONS.filter((n) => n.onlyWithGroups === true)) {
      const after = comment.slice(comment.indexOf(need.permission), comment.indexOf(need.permission) + 120);
      expect(after).toMatch(/when REQUESTER_GROUP_ID or APPROVER_GROUP_ID is set/);
    }
  });

  it('when the Toolkit fills infra/main.parameters.json, then every placeholder is defined for it', () => {
    const defined = new Set([
      'TEAMSFX_ENV',
      ...Object.keys(parseDotEnv(text)),
      ...Object.keys(parseDotEnv(read('env/.env.dev.user.sample'))),
    ]);
    const placeholders = [...read('infra/main.parameters.json').matchAll(/\$\{\{([A-Z0-9_]+)\}\}/g)].map(
      (m) => m[1],
    );
    expect(placeholders.length).toBeGreaterThan(10);
    expect(placeholders.filter((name) => !defined.has(name))).toEqual([]);
  });
});

describe('infra/', () => {
  const files = bicepFiles('infra');
  const main = read('infra/main.bicep');

  it('when the Bicep writes app settings, then each is a documented setting or App Service’s own', () => {
    const documented = new Set(SETTINGS.map((s) => s.name));
    const names = files.flatMap((file) => appSettingNames(read(file)));
    expect(names).toEqual(
      expect.arrayContaining(['BOT_ID', 'BOT_TYPE', 'STORAGE', 'DATA_ENCRYPTION_KEY', 'TENANT_MODE']),
    );
    const unknown = names.filter((name) => !documented.has(name) && !/^(WEBSITE|SCM)_/.test(name));
    expect(unknown).toEqual([]);
  });

  it('when a setting holds a secret, then its value is a Key Vault reference, never a parameter', () => {
    for (const secret of ['DATA_ENCRYPTION_KEY', 'BOT_PASSWORD', 'AAD_APP_CLIENT_SECRET']) {
      const value = new RegExp(`name: '${secret}'\\s*\\n\\s*value: (.+)`).exec(main)?.[1];
      expect(value).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{[^}]+\}\)'$/);
    }
  });

  it('when the parameters file is read, then it names only parameters main.bicep declares, and every required one', () => {
    const declared = [...main.matchAll(/^param (\w+) (\w+)( = .*)?$/gm)].map((m) => ({
      name: m[1],
      required: m[3] === undefined,
    }));
    const given = Object.keys(
      (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> }).parameters,
    );
    expect(given.filter((name) => !declared.some((d) => d.name === name))).toEqual([]);
    const required = declared.filter((d) => d.required).map((d) => d.name);
    expect(required.filter((name) => !given.includes(name))).toEqual([]);
  });

  it('when the module files are named, then each exists', () => {
    for (const [, module] of main.matchAll(/^module \w+ '([^']+)'/gm)) {
      expect(fs.existsSync(path.join(ROOT, 'infra', module))).toBe(true);
    }
  });
});

describe('m365agents.yml', () => {
  const yml = read('m365agents.yml');
  const stage = (name: string) => {
    const start = yml.indexOf(`\n${name}:\n`);
    expect(start).toBeGreaterThan(0);
    const next = yml.slice(start + 1).search(/\n[a-z]+:\n/);
    return next < 0 ? yml.slice(start) : yml.slice(start, start + 1 + next);
  };

  it('when provisioning, then it deploys infra/main.bicep with its parameters file, and registers no second bot', () => {
    const provision = stage('provision');
    expect(provision).toMatch(/uses: arm\/deploy/);
    expect(provision).toMatch(/path: \.\/infra\/main\.bicep/);
    expect(provision).toMatch(/parameters: \.\/infra\/main\.parameters\.json/);
    // The Bicep registers the Azure Bot; a Bot Framework registration of the same app id would clash.
    expect(provision).not.toMatch(/uses: botFramework\/create/);
  });

  it('when deploying, then it builds, keeps production dependencies only, and only then zip-deploys', () => {
    const order = stage('deploy')
      .split(/\n {2}- /)
      .slice(1)
      .map((step) => {
        const uses = /^uses: (\S+)/.exec(step)?.[1];
        const args = /\n\s+args: ([^\n]+)/.exec(step)?.[1];
        return args === undefined ? uses : `${uses} ${args}`;
      });
    expect(order).toEqual([
      'cli/runNpmCommand ci',
      'cli/runNpmCommand run build',
      'cli/runNpmCommand ci --omit=dev',
      'azureAppService/zipDeploy',
      'cli/runNpmCommand ci',
    ]);
  });

  it('when the zip is made, then .webappignore keeps package.json, dist/ and node_modules/', () => {
    const patterns = read('.webappignore')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    for (const kept of ['/package.json', '/dist', '/node_modules', 'dist', 'node_modules', 'package.json']) {
      expect(patterns).not.toContain(kept);
    }
    expect(patterns).toEqual(expect.arrayContaining(['/src', '/test', '/env']));
  });
});
