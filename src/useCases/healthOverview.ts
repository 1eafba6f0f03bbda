/**
 * `health`: every account the health watch looks after, healthy or with its problems, and when it was
 * last checked — in the order the accounts became ready. The caller checks the admin role first.
 */
import { utcMinutes } from '../domain/time';
import { count } from '../domain/words';
import type { HealthRecord } from '../domain/workPorts';
import type { Services } from './services';

export interface HealthLine {
  requestId: string;
  subject: string;
  /** "Healthy", "2 problems: …", "Not checked yet". */
  summary: string;
  checked: string;
  healthy: boolean;
}

export function healthLine(record: HealthRecord): HealthLine {
  const checked =
    record.checkedAt === undefined ? 'not checked yet' : `checked ${utcMinutes(record.checkedAt)}`;
  const problems = record.problems.map((p) => p.title);
  const unreadable =
    record.unreadable === undefined ? '' : ` The last check could not read the tenant: ${record.unreadable}`;
  const summary =
    problems.length === 0
      ? record.checkedAt === undefined
        ? 'Waiting for its first check'
        : 'Healthy'
      : `${count(problems.length, 'problem')}: ${problems.join('; ')}`;
  return {
    requestId: record.requestId,
    subject: record.subject,
    summary: `${summary}.${unreadable}`,
    checked,
    healthy: problems.length === 0 && record.unreadable === undefined,
  };
}

export async function healthOverview(
  services: Pick<Services, 'health' | 'tenantId'>,
): Promise<{ lines: HealthLine[]; text: string }> {
  const records = await services.health.list(services.tenantId);
  const lines = records.map(healthLine);
  if (lines.length === 0)
    return {
      lines,
      text: 'I look after no service account yet: once one is ready, I check it every day and tell its owners when something breaks sync.',
    };
  const broken = lines.filter((l) => !l.healthy).length;
  const head =
    broken === 0
      ? lines.length === 1
        ? 'The one account I look after is healthy.'
        : `All ${lines.length} accounts I look after are healthy.`
      : `${broken} of the ${count(lines.length, 'account')} I look after ${broken === 1 ? 'needs' : 'need'} attention.`;
  return {
    lines,
    text: [head, ...lines.map((l) => `- **${l.subject}**: ${l.summary} (${l.checked})`)].join('\n'),
  };
}
