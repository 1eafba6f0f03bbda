/**
 * Messages the bot starts itself (approval cards, progress, "ready"): sent into a stored conversation,
 * or an earlier message updated in place. Failures are sorted the way Teams means them: 403 (the bot
 * is not in the conversation, blocked, or the app was removed) and 404 are permanent — fall back to
 * someone or somewhere else; 429 and 5xx are passing and retried with back-off, bounded.
 */
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { Clock } from '../../domain/ports';

export type Delivery =
  | { ok: true; activityId: string; conversationId: string }
  | { ok: false; permanent: boolean; status?: number; code?: string };

export interface ProactiveMessengerOptions {
  adapter: CloudAdapter;
  /** The bot's app id ('' in local mode). */
  botAppId: string;
  clock: Clock;
  maxAttempts?: number;
  baseDelayMs?: number;
}

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

  send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<Delivery> {
    return this.attempt(reference, async (context) => {
      const sent = await context.sendActivity(activity);
      return sent?.id ?? '';
    });
  }

  update(
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<Delivery> {
    return this.attempt(reference, async (context) => {
      await context.updateActivity({ ...activity, id: activityId });
      return activityId;
    });
  }

  private async attempt(
    reference: Partial<ConversationReference>,
    act: (context: TurnContext) => Promise<string>,
  ): Promise<Delivery> {
    for (let attempt = 1; ; attempt++) {
      try {
        let activityId = '';
        await this.options.adapter.continueConversationAsync(
          this.options.botAppId,
          reference,
          async (context) => {
            activityId = await act(context);
          },
        );
        return { ok: true, activityId, conversationId: reference.conversation?.id ?? '' };
      } catch (error) {
        const status = statusOf(error);
        const permanent = isPermanentFailure(status);
        if (permanent || attempt >= this.maxAttempts)
          return { ok: false, permanent, status, code: codeOf(error) };
        await this.options.clock.sleep(Math.round(Math.random() * this.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }
}
