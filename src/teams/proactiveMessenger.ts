/**
 * Messages the bot starts itself (approval cards, progress, "ready"): sent into a stored conversation,
 * or an earlier message updated in place. Failures are sorted the way Teams means them: 403 (the bot
 * is not in the conversation, blocked, or the app was removed) and 404 are permanent — fall back to
 * someone or somewhere else; 429 and 5xx are passing and retried with back-off, bounded. At
 * `LOG_LEVEL=debug` each delivery is one line: what it carried (e.g. "approval card"), the
 * conversation id, posted / updated / failed with Teams' status, attempts and duration — never the
 * message itself.
 */
import { performance } from 'node:perf_hooks';
import {
  type Activity,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import type { Clock } from '../domain/ports';
import type { Logger } from '../logger';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../cards/renderCard';

export type Delivery =
  | { ok: true; activityId: string; conversationId: string; reference: Partial<ConversationReference> }
  | { ok: false; permanent: boolean; status?: number; code?: string };

/** Someone to open a personal chat with, through the service URL of their tenant's Teams. */
export interface PersonalTarget {
  serviceUrl: string;
  tenantId: string;
  aadObjectId: string;
}

export interface ProactiveMessengerOptions {
  adapter: CloudAdapter;
  /** The bot's app id ('' in local mode). */
  botAppId: string;
  clock: Clock;
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Gets one debug line per delivery. */
  logger?: Logger;
  /** What this messenger's messages are, for those lines (see `about`); else "card" or "text message". */
  what?: string;
}

/** What a delivery did, for its debug line. */
interface Trip {
  action: 'post' | 'update' | 'open chat' | 'turn';
  what: string;
  conversationId?: string;
}

const DONE: Record<Trip['action'], string> = {
  post: 'posted',
  update: 'updated',
  'open chat': 'opened',
  turn: 'ran',
};

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const value of [e?.statusCode, e?.status, e?.response?.status])
    if (typeof value === 'number') return value;
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; body?: { error?: { code?: unknown } } };
  const code = e?.body?.error?.code ?? e?.code;
  return typeof code === 'string' ? code.slice(0, 64) : undefined;
}

/**
 * The adapter hands an error thrown in a proactive turn to its `onTurnError` (which would tell the
 * user something went wrong) instead of to the caller. The failure is caught inside the turn instead,
 * and raised again once the turn is over, where the messenger can sort it.
 */
function failureBox(): { fail: (error: unknown) => void; rethrow: () => void } {
  let failure: { error: unknown } | undefined;
  return {
    fail: (error) => {
      failure = { error };
    },
    rethrow: () => {
      if (failure !== undefined) throw failure.error;
    },
  };
}

function captured(
  logic: (context: TurnContext) => Promise<void>,
  fail: (error: unknown) => void,
): (context: TurnContext) => Promise<void> {
  return async (context) => {
    try {
      await logic(context);
    } catch (error) {
      fail(error);
    }
  };
}

export function isPermanentFailure(status: number | undefined): boolean {
  return status === 400 || status === 401 || status === 403 || status === 404;
}

export class ProactiveMessenger {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: ProactiveMessengerOptions) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
  }

  /** The same messenger, its messages named `what` in the debug lines ("approval card"). */
  about(what: string): ProactiveMessenger {
    return new ProactiveMessenger({ ...this.options, what });
  }

  send(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    what?: string,
  ): Promise<Delivery> {
    return this.attempt(reference, this.trip('post', reference, activity, what), async (context) => {
      const sent = await context.sendActivity(activity);
      return sent?.id ?? '';
    });
  }

  update(
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
    what?: string,
  ): Promise<Delivery> {
    return this.attempt(reference, this.trip('update', reference, activity, what), async (context) => {
      await context.updateActivity({ ...activity, id: activityId });
      return activityId;
    });
  }

  /**
   * Opens the bot's personal chat with a user who has the app but never wrote to the bot, by their
   * Entra object id (Teams allows this only in personal scope, and only where the app is installed),
   * and sends the first message there.
   */
  async createPersonal(
    target: PersonalTarget,
    activity: Partial<Activity>,
    what?: string,
  ): Promise<Delivery> {
    const opened = await this.openPersonal(target);
    return opened.ok ? this.send(opened.reference, activity, what) : opened;
  }

  /** The personal chat with a user, opened by Entra object id; nothing is sent yet. */
  openPersonal(target: PersonalTarget): Promise<Delivery> {
    const parameters: ConversationParameters = {
      isGroup: false,
      bot: { id: this.options.botAppId === '' ? 'bot' : `28:${this.options.botAppId}`, name: '' },
      members: [{ id: target.aadObjectId, name: '' }],
      tenantId: target.tenantId,
      channelData: { tenant: { id: target.tenantId } },
    } as ConversationParameters;
    // Teams answers with the one personal chat between the bot and the user, so asking twice is safe.
    const trip: Trip = { action: 'open chat', what: 'personal chat' };
    return this.retrying(trip, async () => {
      const { fail, rethrow } = failureBox();
      let reference: Partial<ConversationReference> | undefined;
      await this.options.adapter.createConversationAsync(
        this.options.botAppId,
        'msteams',
        target.serviceUrl,
        undefined as unknown as string,
        parameters,
        captured(async (context) => {
          reference = TurnContext.getConversationReference(context.activity);
        }, fail),
      );
      rethrow();
      if (reference === undefined) throw new Error('createConversation ran no turn');
      return { activityId: '', reference };
    });
  }

  /**
   * Runs `logic` in a turn of the conversation, once: it may have sent something before a failure,
   * so it is never repeated.
   */
  runIn(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<Delivery> {
    return this.attempt(
      reference,
      { action: 'turn', what: 'turn', conversationId: reference.conversation?.id },
      async (context) => {
        await logic(context);
        return '';
      },
      1,
    );
  }

  private trip(
    action: 'post' | 'update',
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    what: string | undefined,
  ): Trip {
    const card = activity.attachments?.some((a) => a.contentType === ADAPTIVE_CARD_CONTENT_TYPE) === true;
    return {
      action,
      what: what ?? this.options.what ?? (card ? 'card' : 'text message'),
      conversationId: reference.conversation?.id,
    };
  }

  private attempt(
    reference: Partial<ConversationReference>,
    trip: Trip,
    act: (context: TurnContext) => Promise<string>,
    maxAttempts = this.maxAttempts,
  ): Promise<Delivery> {
    return this.retrying(
      trip,
      async () => {
        const { fail, rethrow } = failureBox();
        let activityId = '';
        // A new message in the conversation, not a reply to whatever activity the reference was taken from.
        const { activityId: _replyTo, ...conversation } = reference;
        await this.options.adapter.continueConversationAsync(
          this.options.botAppId,
          conversation,
          captured(async (context) => {
            activityId = await act(context);
          }, fail),
        );
        rethrow();
        return { activityId, reference };
      },
      maxAttempts,
    );
  }

  private async retrying(
    trip: Trip,
    act: () => Promise<{ activityId: string; reference: Partial<ConversationReference> }>,
    maxAttempts = this.maxAttempts,
  ): Promise<Delivery> {
    const logger = this.options.logger?.enabled('debug') === true ? this.options.logger : undefined;
    const started = logger === undefined ? 0 : performance.now();
    for (let attempt = 1; ; attempt++) {
      let delivery: Delivery | undefined;
      try {
        const { activityId, reference } = await act();
        delivery = { ok: true, activityId, conversationId: reference.conversation?.id ?? '', reference };
      } catch (error) {
        const status = statusOf(error);
        const permanent = isPermanentFailure(status);
        if (permanent || attempt >= maxAttempts)
          delivery = { ok: false, permanent, status, code: codeOf(error) };
      }
      if (delivery !== undefined) {
        logger?.debug('Teams delivery', {
          content: trip.what,
          action: trip.action,
          conversationId: delivery.ok ? delivery.conversationId : trip.conversationId,
          outcome: delivery.ok ? DONE[trip.action] : 'failed',
          ...(delivery.ok
            ? {}
            : { status: delivery.status, code: delivery.code, permanent: delivery.permanent }),
          attempts: attempt,
          durationMs: Math.round(performance.now() - started),
        });
        return delivery;
      }
      await this.options.clock.sleep(Math.round(Math.random() * this.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
