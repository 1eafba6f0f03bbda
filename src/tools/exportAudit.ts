/**
 * `npm run audit:export -- [--tenant <id>] [--limit <n>]`: the audit trail as JSON lines on standard
 * output, oldest first — from the store the bot's settings name (STORAGE, DATA_DIR, …).
 */
import { StorageAuditLog } from '../adapters/storage/storageAuditLog';
import { ConfigError, loadConfig, type StorageSettings } from '../config';
import { openStores } from '../runtime/stores';

export const DEFAULT_EXPORT_LIMIT = 100_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,13}$/i;

export async function exportAudit(options: {
  storage: StorageSettings;
  tenantId: string;
  limit: number;
  write: (line: string) => void;
}): Promise<number> {
  const store = openStores(options.storage);
  try {
    const records = await new StorageAuditLog(store.records.storage).recent(options.tenantId, options.limit);
    for (const record of [...records].reverse()) options.write(JSON.stringify(record));
    return records.length;
  } finally {
    await store.close();
  }
}

export function parseExportArgs(
  argv: readonly string[],
): { tenant?: string; limit: number } | { error: string } {
  let tenant: string | undefined;
  let limit = DEFAULT_EXPORT_LIMIT;
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--tenant' && value !== undefined) {
      tenant = value;
      i++;
    } else if (flag === '--limit' && value !== undefined && /^\d{1,7}$/.test(value) && Number(value) > 0) {
      limit = Number(value);
      i++;
    } else {
      return {
        error: `Unknown or incomplete argument "${flag}". Usage: npm run audit:export -- [--tenant <tenant id>] [--limit <n>]`,
      };
    }
  }
  if (tenant !== undefined && !GUID.test(tenant))
    return { error: `--tenant must be the tenant's id, a GUID (got "${tenant}")` };
  return { tenant, limit };
}

async function main(): Promise<void> {
  const args = parseExportArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(`${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  const tenantId = args.tenant ?? config.tenant.tenantId;
  if (!GUID.test(tenantId)) {
    process.stderr.write(
      `The configured tenant "${tenantId}" is a name: pass its id with --tenant <GUID>.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const count = await exportAudit({
    storage: config.storage,
    tenantId: tenantId.toLowerCase(),
    limit: args.limit,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.stderr.write(`${count} audit record(s) exported.\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`audit export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
