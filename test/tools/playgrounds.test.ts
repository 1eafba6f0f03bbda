/** The Agents Playground config each admin's page signs in with. */
import fs from 'node:fs';
import path from 'node:path';
import { playgroundConfig, seededPerson } from '../../src/tools/playgrounds';
import { ALEX, MEGAN, TEST_TENANT_ID } from '../support/activities';

function usersOf(yaml: string): { id: string; aadObjectId: string; name: string }[] {
  const block = yaml.slice(yaml.indexOf('users:'), yaml.indexOf('personalChat:'));
  return [
    ...block.matchAll(/- id: (\S+)\n\s+name: ([^\n]+)\n(?:\s+\S+: [^\n]+\n)*?\s+aadObjectId: (\S+)/g),
  ].map((m) => ({ id: m[1], name: m[2], aadObjectId: m[3] }));
}

describe('playgroundConfig', () => {
  const alex = seededPerson('Alex Wilber');
  const megan = seededPerson('Megan Bowen');

  it('when Alex’s page is configured, then he signs in with his ids and the tenant’s', () => {
    const yaml = playgroundConfig(TEST_TENANT_ID, alex, [alex, megan]);
    expect(yaml).toContain(`tenantId: ${TEST_TENANT_ID}`);
    expect(yaml).toMatch(
      new RegExp(
        `currentUser:\\n  id: ${ALEX.aadObjectId}\\n  name: ${ALEX.name}\\n[\\s\\S]*?aadObjectId: ${ALEX.aadObjectId}`,
      ),
    );
  });

  it('when an admin has a page too, then the picker in the other page sends their object id', () => {
    const users = usersOf(playgroundConfig(TEST_TENANT_ID, alex, [alex, megan]));
    expect(users).toHaveLength(5);
    expect(users.find((u) => u.name === MEGAN.name)).toEqual({
      id: MEGAN.aadObjectId,
      name: MEGAN.name,
      aadObjectId: MEGAN.aadObjectId,
    });
  });

  it('when someone has no page, then their Playground id is not an object id, so no chat opens where nobody sees it', () => {
    const users = usersOf(playgroundConfig(TEST_TENANT_ID, megan, [alex, megan]));
    const others = users.filter((u) => u.name !== ALEX.name);
    expect(others).toHaveLength(4);
    for (const user of others) expect(user.id).not.toMatch(/^[0-9a-f-]{36}$/i);
    expect(users.find((u) => u.name === ALEX.name)?.id).toBe(ALEX.aadObjectId);
  });

  it('when npm run dev runs the built tool, then it finds the Agents Playground in the repository’s node_modules', () => {
    // `npm test` builds first; the built copy lives in dist/, next to a copy of package.json.
    const built = path.resolve(__dirname, '..', '..', 'dist', 'src', 'tools', 'playgrounds.js');
    expect(fs.existsSync(built)).toBe(true);
    const { PLAYGROUND_CLI } = jest.requireActual<{ PLAYGROUND_CLI: string }>(built);
    expect(PLAYGROUND_CLI).toBe(
      path.resolve(__dirname, '..', '..', 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js'),
    );
    expect(fs.existsSync(PLAYGROUND_CLI)).toBe(true);
  });
});
