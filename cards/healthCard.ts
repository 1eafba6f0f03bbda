/**
 * The health card: what changed on a ready account, why each problem breaks sync, and a Fix button
 * where the bot can repair it. A fix that gives a right back shows who asked for it; only another
 * owner gets Approve fix.
 */
import { utcMinutes } from '../src/domain/time';
import type { HealthView } from '../src/domain/workPorts';
import { type AdaptiveCardJson, literal, renderCard } from './renderCard';

export function healthCard(view: HealthView): AdaptiveCardJson {
  const healthy = view.problems.length === 0;
  return renderCard('health', {
    requestId: view.requestId,
    subject: literal(view.subject),
    status: healthy
      ? 'Healthy'
      : view.problems.length === 1
        ? '1 problem breaks sync'
        : `${view.problems.length} problems break sync`,
    statusColor: healthy ? 'Good' : 'Attention',
    headline: view.headline,
    checkedAt: view.checkedAt === '' ? 'just now' : utcMinutes(view.checkedAt),
    problems: view.problems.map((p) => ({
      code: p.code,
      title: p.title,
      why: p.why,
      fixTitle:
        p.fix === undefined
          ? ''
          : p.fix.needsApproval
            ? `${p.fix.title} (a second admin approves)`
            : p.fix.title,
      approveTitle: p.approve === undefined ? '' : `Approve fix (asked by ${literal(p.approve.askedBy)})`,
      waitingText:
        p.waiting === true ? 'You asked for this fix; it waits for another owner to approve it.' : '',
    })),
  });
}
