/** The one-turn commands: `help`, `status`, and `cancel` of a request still waiting for approval. */
import { type ConversationReference, TurnContext } from 'botbuilder';
import { progressCard } from '../cards/progressCard';
import { ADAPTIVE_CARD_CONTENT_TYPE, cardAttachment, literal } from '../cards/renderCard';
import type { ProgressView } from '../src/domain/progress';
import { utcMinutes } from '../src/domain/time';
import { actorOf } from '../src/bot/actor';
import { COMMANDS } from '../src/bot/commands';
import { sameUser } from '../src/domain/authorization';
import {
  accountName,
  type Actor,
  isOwner,
  outcomeLabel,
  STATE_LABELS,
  type ServiceAccountRequest,
} from '../src/domain/request';
import { count } from '../src/domain/words';
import type { AuditLog, RequestStore } from '../src/domain/requestPorts';
import type { Background, HealthRecords, Notifier } from '../src/domain/workPorts';
import { healthOverview } from '../src/useCases/healthOverview';
import { cancelRequest } from '../src/useCases/cancelRequest';

export interface CommandReplyDeps {
  requests: RequestStore;
  audit: AuditLog;
  tenantId: string;
  now: () => Date;
  /** For `cancel`: the approver is told, and the card copies redrawn. */
  notifier: Notifier;
  background: Background;
  /** For `health`: the health watch's records. */
  health?: HealthRecords;
  /** The help card's footer, e.g. "simulated tenant (classic scenario) · version 0.1.0". */
  environmentSummary: string;
  /** For admins only: whether the bot's app has the permissions it needs (undefined for others). */
  readinessFor?: (actor: Actor | undefined) => Promise<string | undefined>;
  /** For `status`: a ready request's card as it stands now, with its buttons. */
  readyView?: (request: ServiceAccountRequest) => Promise<ProgressView>;
  /** Keeps a ready card `status` sent, so a later purge, reset or downgrade redraws it too. */
  keepReadyCard?: (
    request: ServiceAccountRequest,
    reference: Partial<ConversationReference>,
    activityId: string,
  ) => Promise<void>;
}

/** How many ready requests `status` shows with their cards (the newest). */
const READY_CARDS_SHOWN = 3;

export async function sendHelp(
  context: TurnContext,
  deps: CommandReplyDeps,
  notice: string,
  intro: string,
): Promise<void> {
  const readiness = await deps.readinessFor?.(actorOf(context));
  await context.sendActivity({
    attachments: [
      cardAttachment('help', {
        title: 'Service Account Bot',
        notice,
        intro,
        commands: COMMANDS.map((c) => ({ name: c.text, description: c.description })),
        buttons: COMMANDS.filter((c) => c.button !== undefined).map((c) => ({
          title: c.button ?? c.text,
          text: c.text,
        })),
        footer:
          readiness === undefined
            ? deps.environmentSummary
            : `${deps.environmentSummary}\n\nReadiness: ${readiness}`,
      }),
    ],
  });
}

function listCard(title: string, intro: string, requests: ServiceAccountRequest[]) {
  return cardAttachment('requestList', {
    title,
    intro,
    requests: requests.map((r) => ({
      id: r.id,
      account: literal(`${r.details.displayName} — ${r.details.username}@${r.details.domain}`),
      state: STATE_LABELS[r.state],
      approver: literal(`${r.approver.name} (${r.approver.userPrincipalName})`),
      created: utcMinutes(r.createdAt),
      cancellable: r.state === 'PendingApproval',
    })),
  });
}

export const AUDIT_EVENTS_SHOWN = 20;

/** `audit`: the newest events of the tenant's audit trail, for admins (the caller checks the role). */
export async function sendAudit(context: TurnContext, deps: CommandReplyDeps): Promise<void> {
  const records = await deps.audit.recent(deps.tenantId, AUDIT_EVENTS_SHOWN);
  if (records.length === 0) {
    await context.sendActivity('The audit trail is empty: nothing has been asked for yet.');
    return;
  }
  await context.sendActivity({
    attachments: [
      cardAttachment('auditList', {
        title: 'Audit trail',
        intro: `The last ${count(records.length, 'event')}, newest first. Export all of it with npm run audit:export on the bot’s host.`,
        events: records.map((r) => ({
          when: utcMinutes(r.at),
          event: r.event,
          outcome: outcomeLabel(r.outcome),
          actor: literal(r.actor.name !== '' ? r.actor.name : r.actor.aadObjectId),
          requestId: r.requestId,
          detail: literal(r.detail ?? ''),
        })),
      }),
    ],
  });
}

/** `health`: every account the watch looks after, for admins (the caller checks the role). */
export async function sendHealth(context: TurnContext, deps: CommandReplyDeps): Promise<void> {
  if (deps.health === undefined) {
    await context.sendActivity('The health watch is not available here.');
    return;
  }
  const { text } = await healthOverview({ health: deps.health, tenantId: deps.tenantId });
  await context.sendActivity({ type: 'message', text, textFormat: 'markdown' });
}

export async function sendStatus(context: TurnContext, deps: CommandReplyDeps): Promise<void> {
  const requester = actorOf(context);
  if (requester === undefined) {
    await context.sendActivity('I could not tell who you are, so I cannot list your requests.');
    return;
  }
  const mine = await deps.requests.listByRequester(deps.tenantId, requester.aadObjectId);
  // A ready card carries the owners' buttons: shown again only in a personal chat.
  const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
  const owned = personal ? await ownedByOthers(deps, requester, mine) : [];
  if (mine.length === 0 && owned.length === 0) {
    await context.sendActivity('You have no requests yet. Type `new service account` to make one.');
    return;
  }
  const ready = deps.readyView === undefined || !personal ? [] : mine.filter((r) => r.state === 'Ready');
  const shown = ready.slice(0, READY_CARDS_SHOWN);
  if (mine.length > 0) {
    const intro =
      shown.length === 0
        ? `${count(mine.length, 'request')}, newest first.`
        : `${count(mine.length, 'request')}, newest first. Below, the card of each ready one, with its buttons.`;
    await context.sendActivity({ attachments: [listCard('Your requests', intro, mine.slice(0, 10))] });
  }
  if (owned.length > 0)
    await context.sendActivity(
      `You also look after ${count(owned.length, 'account')} someone else asked for: ${owned.map((r) => accountName(r)).join(', ')}. Below, ${owned.length === 1 ? 'its card' : 'their cards'}, with the owners' buttons.`,
    );
  for (const request of [...shown, ...owned]) {
    const drawn = await deps.readyView?.(request);
    if (drawn === undefined) continue;
    // The password is the requester's alone to reveal or reset: another owner's copy has neither.
    const view =
      sameUser(request.requester.aadObjectId, requester.aadObjectId) || drawn.ready === undefined
        ? drawn
        : { ...drawn, ready: { ...drawn.ready, canReveal: false, canReset: false } };
    const sent = await context.sendActivity({
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: progressCard(view) }],
    });
    if (sent?.id !== undefined)
      await deps.keepReadyCard?.(request, TurnContext.getConversationReference(context.activity), sent.id);
  }
}

/** Ready accounts this person looks after but did not ask for (added as an owner, or the approver). */
async function ownedByOthers(
  deps: CommandReplyDeps,
  person: Actor,
  mine: readonly ServiceAccountRequest[],
): Promise<ServiceAccountRequest[]> {
  if (deps.health === undefined || deps.readyView === undefined) return [];
  const own = new Set(mine.map((r) => r.id));
  const found: ServiceAccountRequest[] = [];
  for (const record of await deps.health.list(deps.tenantId)) {
    if (own.has(record.requestId) || found.length >= READY_CARDS_SHOWN) continue;
    const request = await deps.requests.get(deps.tenantId, record.requestId);
    if (request?.state === 'Ready' && isOwner(request, person.aadObjectId)) found.push(request);
  }
  return found;
}

/** `cancel` with no form open: withdraws the one pending request, or lists several to choose from. */
export async function cancelPending(context: TurnContext, deps: CommandReplyDeps): Promise<void> {
  const requester = actorOf(context);
  if (requester === undefined) {
    await context.sendActivity('I could not tell who you are, so I cannot cancel anything.');
    return;
  }
  const pending = (await deps.requests.listByRequester(deps.tenantId, requester.aadObjectId)).filter(
    (r) => r.state === 'PendingApproval',
  );
  if (pending.length === 0) {
    await context.sendActivity(
      'There is nothing to cancel: no form is open and none of your requests is waiting for approval.',
    );
    return;
  }
  if (pending.length > 1) {
    await context.sendActivity({
      attachments: [
        listCard(
          'Which request?',
          'Several of your requests are waiting for approval. Cancel the one you mean.',
          pending,
        ),
      ],
    });
    return;
  }
  const outcome = await cancelRequest(deps, {
    tenantId: deps.tenantId,
    requestId: pending[0].id,
    actor: requester,
  });
  await context.sendActivity(
    'cancelled' in outcome
      ? `Cancelled your request for ${accountName(outcome.cancelled)}. Nothing was created.`
      : outcome.refused,
  );
}
