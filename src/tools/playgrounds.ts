/**
 * Microsoft 365 Agents Playground instances for the embedded default, one per admin: each is its own
 * Teams client and connector (its own service URL), signed in as a seeded person of the simulated
 * tenant through its config file (`.m365agentsplayground.yml`, found through
 * `M365_AGENTS_PLAYGROUND_CONFIG_PATH`). Used by `npm run dev` and the browser test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childProcessEnvironment } from '../config';
import { PEOPLE, PEOPLE_DOMAIN, type SeedPerson } from '../simulator';

/**
 * The repository root, whether this runs built (dist/src/tools) or from source (src/tools): the
 * folder with tsconfig.json (the build copies package.json into dist/, so that cannot tell).
 */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'tsconfig.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}

const ROOT = repositoryRoot();
export const PLAYGROUND_CLI = path.join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const START_TIMEOUT_MS = 30_000;

/** Who signs in to a Playground: a seeded person, by display name. */
export interface PlaygroundUser {
  person: SeedPerson;
  port: number;
}

export interface RunningPlayground {
  user: PlaygroundUser;
  url: string;
  child: ChildProcess;
  /** Folder holding its config file and its log (`m365agentsplayground.log`). */
  dir: string;
}

/** Alex Wilber asks; Megan Bowen approves. Both are Global Administrators in the simulated tenant. */
export function seededPerson(displayName: string): SeedPerson {
  const person = PEOPLE.find((p) => p.displayName === displayName);
  if (person === undefined) throw new Error(`${displayName} is not in the simulated tenant`);
  return person;
}

/**
 * The Playground config for one admin. Everyone with a Playground of their own in this run carries
 * their Entra object id as their Playground user id, so the people picker (which sends that id) names
 * them and the bot can find them in the directory. The others get an id that is not an object id:
 * the Playground has no page for them, so a chat the bot opened with them there would be seen by
 * nobody; the bot instead says it cannot reach them.
 */
export function playgroundConfig(tenantId: string, me: SeedPerson, withPages: readonly SeedPerson[]): string {
  const enabled = PEOPLE.filter((p) => p.enabled !== false);
  const others = enabled.filter((p) => p.id !== me.id).slice(0, 5);
  if (others.length !== 5) throw new Error('the Playground needs exactly five other users');
  const hasPage = (p: SeedPerson) => withPages.some((w) => w.id === p.id);
  const user = (p: SeedPerson, indent: string, first: string): string => {
    const [givenName, ...rest] = p.displayName.split(' ');
    const email = `${p.alias}@${PEOPLE_DOMAIN}`;
    return [
      `${first}id: ${hasPage(p) ? p.id : `playground-${p.alias}`}`,
      `${indent}name: ${p.displayName}`,
      `${indent}userPrincipleName: ${email}`,
      `${indent}aadObjectId: ${p.id}`,
      `${indent}givenName: ${givenName}`,
      `${indent}surname: ${rest.join(' ')}`,
      `${indent}email: ${email}`,
    ].join('\n');
  };
  return [
    'version: "0.1.1"',
    `tenantId: ${tenantId}`,
    'bot:',
    '  id: 00000000-0000-0000-0000-00000000000011',
    '  name: Service Account Bot',
    'currentUser:',
    user(me, '  ', '  '),
    'users:',
    ...others.map((p) => user(p, '    ', '  - ')),
    'personalChat:',
    `  id: personal-chat-${me.alias}`,
    'groupChat:',
    `  id: group-chat-${me.alias}`,
    '  name: Group Chat',
    'team:',
    '  id: team-id',
    '  name: My Team',
    '  aadGroupId: 00000000-0000-0000-0000-000000000031',
    '  channels:',
    '    - id: channel-announcements-id',
    '      name: Announcements',
    '',
  ].join('\n');
}

function waitForListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
    });
    const timer = setTimeout(
      () => reject(new Error(`the Agents Playground on port ${port} did not start within 30 s`)),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`the Agents Playground on port ${port} exited with code ${code}: ${buffer.slice(-800)}`),
      );
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes(`Listening on ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/**
 * Starts one Playground per user, pointed at the bot, each in its own folder under `baseDir`.
 * Resolves once every one listens; `echo` gets their output.
 */
export async function startPlaygrounds(options: {
  endpoint: string;
  tenantId: string;
  users: readonly PlaygroundUser[];
  baseDir: string;
  echo?: (text: string) => void;
}): Promise<RunningPlayground[]> {
  const withPages = options.users.map((u) => u.person);
  const started: RunningPlayground[] = [];
  try {
    for (const user of options.users) {
      const dir = path.join(options.baseDir, user.person.alias);
      fs.mkdirSync(dir, { recursive: true });
      const configPath = path.join(dir, '.m365agentsplayground.yml');
      fs.writeFileSync(configPath, playgroundConfig(options.tenantId, user.person, withPages));
      const child = spawn(
        process.execPath,
        [PLAYGROUND_CLI, '-e', options.endpoint, '-c', 'msteams', '-p', String(user.port), '--dt'],
        {
          cwd: dir,
          // Without a browser to open, the Playground exits a second after start unless told not to try.
          env: childProcessEnvironment({
            TEAMSAPPTESTER_BROWSER: 'none',
            M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
            M365_AGENTS_PLAYGROUND_LOGFILE: path.join(dir, 'm365agentsplayground.log'),
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const running = { user, url: `http://localhost:${user.port}`, child, dir };
      started.push(running);
      const echo = options.echo;
      if (echo !== undefined) {
        child.stdout?.on('data', (chunk: Buffer) => echo(chunk.toString('utf8')));
        child.stderr?.on('data', (chunk: Buffer) => echo(chunk.toString('utf8')));
      }
      await waitForListening(child, user.port);
    }
    await Promise.all(started.map((p) => install(p)));
    return started;
  } catch (error) {
    await Promise.all(started.map((p) => stopChild(p.child)));
    throw error;
  }
}

/**
 * Adds the bot to the admin's personal chat, as the Playground's page does when it opens: the bot
 * gets the installation and remembers where to reach them, so an approval card can go to an admin
 * who has not opened their page yet.
 */
async function install(playground: RunningPlayground): Promise<void> {
  const chat = `personal-chat-${playground.user.person.alias}`;
  const response = await fetch(`${playground.url}/_debug/conversation/${chat}/installation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok)
    throw new Error(
      `the Agents Playground at ${playground.url} refused the installation (HTTP ${response.status})`,
    );
}

export function stopChild(child: ChildProcess | undefined, timeoutMs = 15_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
