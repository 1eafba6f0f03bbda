/**
 * The copy behind `npm run migrate`: every record and every job of one store set into another, each
 * written only where its key or id is free (`createIfAbsent`, `importJob`), so nothing the target holds
 * is ever overwritten and a second run copies nothing. Records are copied as stored: a sealed password
 * stays sealed with the key it was sealed with. Jobs keep their state (done and failed ones too: the
 * status views and Retry read them) and lose their lease, so the target's runners can claim them at once.
 */
import type { JobRecord } from '../jobs/jobs';
import type { Stores } from '../runtime/stores';

/** Records read and written per round, and jobs imported per call. */
const BATCH = 32;

export interface CopyReport {
  records: {
    copied: number;
    /** The target held the same content under the key. */
    same: number;
    /** The target held different content: its copy was kept. By key prefix (first two segments). */
    keptTargets: Map<string, number>;
  };
  jobs: {
    copied: number;
    /** Of those copied, the queued ones (still to run). */
    copiedPending: number;
    /** A job with the same id was in the target already: it was kept. */
    alreadyThere: number;
  };
  /** Records of the source holding a sealed password (copied or already there). */
  sealedPasswords: number;
  /** Queued jobs of the source under a live lease: a bot is still running on the source. */
  liveLeases: number;
}

export async function copyStores(
  source: Pick<Stores, 'records' | 'jobs'>,
  target: Pick<Stores, 'records' | 'jobs'>,
  now: number,
): Promise<CopyReport> {
  const report: CopyReport = {
    records: { copied: 0, same: 0, keptTargets: new Map() },
    jobs: { copied: 0, copiedPending: 0, alreadyThere: 0 },
    liveLeases: 0,
    sealedPasswords: 0,
  };
  let keys: string[] = [];
  for await (const key of source.records.storage.listKeys()) {
    keys.push(key);
    if (keys.length >= BATCH) {
      await copyRecords(source, target, keys, report);
      keys = [];
    }
  }
  await copyRecords(source, target, keys, report);

  let jobs: JobRecord[] = [];
  for await (const job of source.jobs.allJobs()) {
    if (job.state === 'queued' && job.lease !== undefined && job.lease.expiresAt > now) report.liveLeases++;
    jobs.push(job);
    if (jobs.length >= BATCH) {
      await copyJobs(target, jobs, report);
      jobs = [];
    }
  }
  await copyJobs(target, jobs, report);
  return report;
}

async function copyRecords(
  source: Pick<Stores, 'records'>,
  target: Pick<Stores, 'records'>,
  keys: string[],
  report: CopyReport,
): Promise<void> {
  if (keys.length === 0) return;
  const items = await source.records.storage.read(keys);
  await Promise.all(
    keys.map(async (key) => {
      const item = items[key] as Record<string, unknown> | undefined;
      if (item === undefined) return; // deleted since it was listed
      const value = withoutETag(item);
      if (key.split('/')[1] === 'passwords' && typeof value.sealed === 'string' && value.sealed !== '')
        report.sealedPasswords++;
      if (await target.records.storage.createIfAbsent(key, value)) {
        report.records.copied++;
        return;
      }
      const there = (await target.records.storage.read([key]))[key] as Record<string, unknown> | undefined;
      if (there !== undefined && canonical(withoutETag(there)) === canonical(value)) {
        report.records.same++;
        return;
      }
      const prefix = key.split('/').slice(0, 2).join('/');
      report.records.keptTargets.set(prefix, (report.records.keptTargets.get(prefix) ?? 0) + 1);
    }),
  );
}

async function copyJobs(target: Pick<Stores, 'jobs'>, jobs: JobRecord[], report: CopyReport): Promise<void> {
  const answers = await target.jobs.importJobs(jobs);
  for (const [i, copied] of answers.entries()) {
    if (copied) {
      report.jobs.copied++;
      if (jobs[i].state === 'queued') report.jobs.copiedPending++;
    } else {
      report.jobs.alreadyThere++;
    }
  }
}

function withoutETag(item: Record<string, unknown>): Record<string, unknown> {
  const { eTag: _eTag, ...value } = item;
  return value;
}

/** JSON with object keys sorted, so two stores' copies of one record compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  );
}
