/**
 * The simulated tenant kept in a file (`stateFile`): a simulator started again on the same file is the
 * same tenant, and a file it cannot take up stops the start with a message that names it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  KEY_VAULT_RESOURCE,
  ROLE_IDS,
  SKUS,
  TenantStateFileError,
  type TenantSimulator,
} from '../../src/simulator';
import {
  exchange,
  graph,
  newUserBody,
  request,
  startSimulator,
  TENANT_ID,
  tokenFor,
} from './simulatorHarness';
import { parseCliArguments } from '../../src/simulator/cli';

const USER_PASSWORD = newUserBody('x').passwordProfile as { password: string };
const VAULT_PASSWORD = 'Kv7!pR2#mQ9@wL4$zT8%';
const HOUR = 60 * 60 * 1000;

describe('the simulated tenant kept in a file', () => {
  let dir: string;
  let file: string;
  const running: TenantSimulator[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-state-'));
    file = path.join(dir, 'simulated-tenant.json');
  });
  afterEach(async () => {
    for (const sim of running.splice(0)) await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<TenantSimulator> {
    const sim = await startSimulator({ stateFile: file, ...options });
    running.push(sim);
    return sim;
  }

  async function stop(sim: TenantSimulator): Promise<void> {
    running.splice(running.indexOf(sim), 1);
    await sim.close();
  }

  async function putSecret(sim: TenantSimulator, name: string, value: string): Promise<void> {
    const token = await tokenFor(sim, KEY_VAULT_RESOURCE);
    const result = await request(`${sim.keyVaultUrl}/secrets/${name}?api-version=2025-07-01`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ value }),
    });
    expect(result.status).toBe(200);
  }

  /** A service account as the bot makes one: user, licence, role, role-group seat, custom attribute. */
  async function makeServiceAccount(sim: TenantSimulator, alias: string): Promise<string> {
    const graphToken = await tokenFor(sim, 'https://graph.microsoft.com');
    const created = await graph(sim, graphToken, 'POST', '/users', newUserBody(alias));
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await graph(sim, graphToken, 'POST', `/users/${id}/assignLicense`, {
      addLicenses: [{ skuId: SKUS.EXCHANGESTANDARD.skuId }],
      removeLicenses: [],
    });
    const role = await graph(sim, graphToken, 'POST', '/roleManagement/directory/roleAssignments', {
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      principalId: id,
      directoryScopeId: '/',
    });
    expect(role.status).toBe(201);
    sim.advance(HOUR); // Exchange knows the user now (and tokens got before have expired)
    const exchangeToken = await tokenFor(sim, 'https://outlook.office365.com');
    await exchange(sim, exchangeToken, 'New-RoleGroup', {
      Name: 'App Impersonation',
      Roles: ['ApplicationImpersonation'],
    });
    const member = await exchange(sim, exchangeToken, 'Add-RoleGroupMember', {
      Identity: 'App Impersonation',
      Member: `${alias}@contoso.com`,
    });
    expect(member.status).toBe(200);
    return id;
  }

  test('when the tenant changes and the simulator starts again on the file, then it is the same tenant: users, roles, role-group members, vault versions, clock', async () => {
    const first = await start();
    const id = await makeServiceAccount(first, 'svc-kept');
    await putSecret(first, 'sab-svc-kept', 'first version');
    await putSecret(first, 'sab-svc-kept', VAULT_PASSWORD);
    first.change.setSecurityDefaults(true);
    first.advance(2 * HOUR);
    const before = first.state();
    const secretsBefore = first.keyVaultSecrets();
    const offsetBefore = first.clock.now() - Date.now();
    await stop(first);

    const second = await start();
    expect(second.state()).toEqual(before);
    expect(second.keyVaultSecrets()).toEqual(secretsBefore);
    expect(second.keyVaultSecrets().map((s) => s.value)).toEqual(['first version', VAULT_PASSWORD]);
    expect(Math.abs(second.clock.now() - Date.now() - offsetBefore)).toBeLessThan(1_000);

    // Over the wire, too: Graph finds the user, Exchange shows the seat as replicated, the vault answers.
    const graphToken = await tokenFor(second, 'https://graph.microsoft.com');
    const user = await graph(second, graphToken, 'GET', `/users/${id}`);
    expect(user.status).toBe(200);
    expect(user.body.userPrincipalName).toBe('svc-kept@contoso.com');
    const exchangeToken = await tokenFor(second, 'https://outlook.office365.com');
    const group = await exchange(second, exchangeToken, 'Get-RoleGroup', { Identity: 'App Impersonation' });
    expect(group.body.value[0].Members).toEqual(['svc-kept']);
    const vaultToken = await tokenFor(second, KEY_VAULT_RESOURCE);
    const secret = await request(`${second.keyVaultUrl}/secrets/sab-svc-kept?api-version=2025-07-01`, {
      headers: { Authorization: `Bearer ${vaultToken}` },
    });
    expect(secret.body.value).toBe(VAULT_PASSWORD);
    // The same username cannot be taken twice.
    const again = await graph(second, graphToken, 'POST', '/users', newUserBody('svc-kept'));
    expect(again.status).toBe(400);
  });

  test('when a change is answered, then it is already in the file, with no password in clear and mode 0600', async () => {
    const sim = await start();
    const graphToken = await tokenFor(sim, 'https://graph.microsoft.com');
    const created = await graph(sim, graphToken, 'POST', '/users', newUserBody('svc-written'));
    // Read at once, the simulator still running (as a process killed now would leave it).
    const text = fs.readFileSync(file, 'utf8');
    const saved = JSON.parse(text) as { tenant: { users: { id: string; passwordSha256: string }[] } };
    const user = saved.tenant.users.find((u) => u.id === created.body.id);
    expect(user?.passwordSha256).toBe(createHash('sha256').update(USER_PASSWORD.password).digest('hex'));
    expect(text).not.toContain(USER_PASSWORD.password);
    expect(text).toContain('simulated Microsoft 365 tenant');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['simulated-tenant.json']);
  });

  test('when a user is created after a restart, then it gets a new object id, not one made before', async () => {
    const first = await start();
    const before = await makeServiceAccount(first, 'svc-one');
    const idsBefore = new Set([
      ...first.state().users.map((u) => u.id),
      ...first.state().roleAssignments.map((a) => a.id),
      ...first.state().roleGroups.map((g) => g.guid),
    ]);
    await stop(first);

    const second = await start();
    const token = await tokenFor(second, 'https://graph.microsoft.com');
    const created = await graph(second, token, 'POST', '/users', newUserBody('svc-two'));
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe(before);
    expect(idsBefore.has(created.body.id)).toBe(false);
  });

  test('when there is no file yet, then the simulator starts from its seed and writes the file at once', async () => {
    const sim = await start();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { tenantId: string; scenario: string };
    expect(saved).toMatchObject({ tenantId: TENANT_ID, scenario: 'classic' });
    expect(sim.state().users.map((u) => u.displayName)).toContain('Alex Wilber');
  });

  test.each([
    [
      'not JSON (cut short)',
      () => '{"format": "simulated-microsoft-365-tenant", "formatVe',
      'corrupt',
      /is not valid JSON/,
    ],
    [
      'not a simulated tenant',
      () => JSON.stringify({ hello: 'world' }),
      'corrupt',
      /is not a simulated tenant/,
    ],
    [
      'of an unknown format version',
      (text: string) => text.replace('"formatVersion": 1', '"formatVersion": 7'),
      'otherFormat',
      /format version 7; this version of the simulator reads version 1 only/,
    ],
    [
      'of another tenant',
      (text: string) => text.replaceAll(TENANT_ID, '11111111-2222-3333-4444-555555555555'),
      'otherTenant',
      /holds simulated tenant 11111111-2222-3333-4444-555555555555, not 0000/,
    ],
    [
      'damaged inside',
      (text: string) => text.replace('"users": [', '"users": 3, "was": ['),
      'corrupt',
      /is damaged: tenant\.users is not a list of records/,
    ],
  ])(
    'when the file is %s, then the start fails naming the file, and the file is left as it was',
    async (_what, damage, problem, message) => {
      await stop(await start());
      fs.writeFileSync(file, damage(fs.readFileSync(file, 'utf8')));
      const damaged = fs.readFileSync(file, 'utf8');
      const started = start();
      await expect(started).rejects.toThrow(TenantStateFileError);
      await expect(started).rejects.toMatchObject({ problem, file });
      await expect(started).rejects.toThrow(message);
      await expect(started).rejects.toThrow(`The simulated tenant's file ${file} `);
      expect(fs.readFileSync(file, 'utf8')).toBe(damaged);
    },
  );

  test('when the file holds another scenario’s tenant, then the start fails and says which', async () => {
    await stop(await start({ scenario: 'no-seats' }));
    await expect(start()).rejects.toThrow(/holds a tenant of the "no-seats" scenario, not of "classic"/);
  });

  test('when the command line names a state file, then the CLI passes it on, and without a path it says how to use it', () => {
    expect(parseCliArguments(['--state-file', file]).stateFile).toBe(file);
    expect(parseCliArguments([]).stateFile).toBeUndefined();
    expect(() => parseCliArguments(['--state-file'])).toThrow(/--state-file needs a path\nUsage:/);
  });
});
