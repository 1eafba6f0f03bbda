/**
 * `npm run migrate -- --from sqlite --to azure` (or `--from azure --to sqlite`): copies every record
 * and every job from the SQLite file in `DATA_DIR` to the Azure storage account of the AZURE_STORAGE_*
 * settings, or back. Nothing in the target is overwritten, so a second run copies nothing. Stop the bot
 * on the source first. Exit codes: 0 copied, 1 settings or storage failed, 2 wrong arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KEY_FILE_NAME } from '../adapters/secrets/secretBox';
import { SQLITE_FILE_NAME } from '../adapters/storage/createStorage';
import { ConfigError, loadMigrationSettings, type MigrationSettings, type StorageKind } from '../config';
import { openStores, type Stores } from '../runtime/stores';
import { type CopyReport, copyStores } from './copyStores';

export const MIGRATE_USAGE =
  'Usage: npm run migrate -- --from sqlite --to azure   (or --from azure --to sqlite)';

/** A key no store holds, read once from each side to see that it answers. */
const REACH_PROBE_KEY = 'service-account-bot/migrate-reach-probe';

const KINDS: readonly StorageKind[] = ['sqlite', 'azure'];

export function parseMigrateArgs(
  argv: readonly string[],
): { from: StorageKind; to: StorageKind } | { error: string } {
  let from: StorageKind | undefined;
  let to: StorageKind | undefined;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const kind = KINDS.find((k) => k === value?.toLowerCase());
    if (flag === '--from' && kind !== undefined && from === undefined) from = kind;
    else if (flag === '--to' && kind !== undefined && to === undefined) to = kind;
    else return { error: `Unknown or incomplete argument "${flag}". ${MIGRATE_USAGE}` };
  }
  if (from === undefined || to === undefined)
    return { error: `Say where from and where to. ${MIGRATE_USAGE}` };
  if (from === to) return { error: `--from and --to are both ${from}: nothing to copy. ${MIGRATE_USAGE}` };
  return { from, to };
}

/** How the output names one side. */
export function sideName(settings: MigrationSettings, kind: StorageKind): string {
  if (kind === 'sqlite') return `SQLite (${path.resolve(settings.sqlite.dataDir, SQLITE_FILE_NAME)})`;
  return `Azure (container ${settings.azure.container}, table ${settings.azure.table})`;
}

/** Copies and returns the lines to print: the counts, then the warnings and the key reminder. */
export async function migrate(
  settings: MigrationSettings,
  from: StorageKind,
  to: StorageKind,
  now: number,
): Promise<{ report: CopyReport; lines: string[] }> {
  const sqliteFile = path.resolve(settings.sqlite.dataDir, SQLITE_FILE_NAME);
  if (from === 'sqlite' && !fs.existsSync(sqliteFile))
    throw new Error(
      `There is no bot data at ${sqliteFile}: set DATA_DIR to the folder the bot keeps its data in`,
    );
  let source: Stores | undefined;
  let target: Stores | undefined;
  let report: CopyReport;
  try {
    source = openStores(settings[from]);
    target = openStores(settings[to]);
    // Both sides answer before anything is copied, so an unreachable target fails even with nothing to copy.
    for (const [kind, side] of [
      [from, source],
      [to, target],
    ] as const) {
      try {
        await Promise.all([side.records.storage.read([REACH_PROBE_KEY]), side.jobs.nextDueAt()]);
      } catch (error) {
        throw new Error(`${sideName(settings, kind)} did not answer: ${reasonOf(error)}`);
      }
    }
    report = await copyStores(source, target, now);
  } finally {
    await source?.close();
    await target?.close();
  }
  const { records, jobs } = report;
  const kept = [...records.keptTargets.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `Copied ${count(records.copied, 'record')} and ${count(jobs.copied, 'job')} (${jobs.copiedPending} pending, ` +
      `${jobs.copied - jobs.copiedPending} finished) from ${sideName(settings, from)} to ${sideName(settings, to)}. ` +
      `Already there: ${count(records.same + kept, 'record')}, ${count(jobs.alreadyThere, 'job')}.`,
  ];
  if (kept > 0) {
    const byPrefix = [...records.keptTargets]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([prefix, n]) => `${prefix}: ${n}`)
      .join(', ');
    lines.push(
      `Kept the target's copy of ${count(kept, 'record')} that ${kept === 1 ? 'differs' : 'differ'} from the source (never overwritten): ${byPrefix}.`,
    );
  }
  if (report.liveLeases > 0) {
    lines.push(
      `Warning: ${count(report.liveLeases, 'job')} of the source ${report.liveLeases === 1 ? 'is' : 'are'} being run by a bot right now. Stop the bot on ` +
        `${from === 'sqlite' ? 'SQLite' : 'Azure'} before migrating: what it changes from now on is not copied, ` +
        'and the copied jobs could run twice. Then run this again.',
    );
  }
  lines.push(...keyReminder(settings, from, to, report.sealedPasswords));
  return { report, lines };
}

/** What the target needs to open the sealed passwords; never prints the key itself. */
function keyReminder(
  settings: MigrationSettings,
  from: StorageKind,
  to: StorageKind,
  sealed: number,
): string[] {
  if (sealed === 0) return ['No sealed passwords were copied.'];
  const keyFile = path.resolve(settings.sqlite.dataDir, KEY_FILE_NAME);
  if (from === 'sqlite' && !settings.dataEncryptionKeySet && fs.existsSync(keyFile)) {
    return [
      `${copiedAsTheyAre(sealed)}, sealed with the key file ${keyFile}. ` +
        `The Azure instances cannot open ${sealed === 1 ? 'it' : 'them'} unless DATA_ENCRYPTION_KEY is set to that file's content ` +
        `(one line of base64: DATA_ENCRYPTION_KEY="$(cat ${keyFile})"; best kept in Key Vault and given as a Key Vault reference in the app settings).`,
    ];
  }
  const targetSide = to === 'azure' ? 'the Azure instances' : 'the bot on SQLite';
  return [
    `${copiedAsTheyAre(sealed)}: run ${targetSide} with the same DATA_ENCRYPTION_KEY ` +
      `as ${from === 'azure' ? 'the Azure instances' : 'the bot on SQLite'}, or ${sealed === 1 ? 'it' : 'they'} cannot be opened.`,
  ];
}

function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

function copiedAsTheyAre(sealed: number): string {
  return `${count(sealed, 'sealed password')} ${sealed === 1 ? 'was' : 'were'} copied as ${sealed === 1 ? 'it is' : 'they are'}`;
}

/** The first line of an error's message, for the one-line reason. */
function reasonOf(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join('; ');
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim();
}

async function main(): Promise<void> {
  const args = parseMigrateArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(`${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const settings = loadMigrationSettings();
    const { lines } = await migrate(settings, args.from, args.to, Date.now());
    for (const line of lines) process.stdout.write(`${line}\n`);
  } catch (error) {
    process.stderr.write(`Migration failed: ${reasonOf(error)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
