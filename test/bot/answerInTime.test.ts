/**
 * What a late press's outcome becomes in the chat: the card it drew, the words of a refusal or an
 * error, a plain apology when it failed — and never the answer of a press meant for the presser alone.
 * While its work goes on the press is kept, so that after a restart it is done again (or, for a
 * private answer, asked for again) and its outcome shown the same way.
 */
import { type Activity, TestAdapter, TurnContext } from 'botbuilder';
import {
  AnswerInTime,
  followUpOf,
  PRESS_AGAIN_AFTER_RESTART,
  STILL_WORKING,
} from '../../src/bot/answerInTime';
import { invokeCard, invokeError, invokeMessage } from '../../src/bot/invokeAnswers';
import type { Background, LatePress } from '../../src/domain/workPorts';
import { createLogger } from '../../src/logger';
import type { Delivery } from '../../src/teams/proactiveMessenger';

describe('the follow-up of a late press', () => {
  it('when the press drew a card, then the card follows', () => {
    const card = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'lowered' }] };
    expect(followUpOf(invokeCard(card), false)).toEqual({ card });
  });

  it('when the press was refused in words or as an error, then the words follow', () => {
    expect(followUpOf(invokeMessage('Only the requester can do that.'), false)).toEqual({
      text: 'Only the requester can do that.',
    });
    expect(followUpOf(invokeError(404, 'NotFound', 'I cannot find that request.'), false)).toEqual({
      text: 'I cannot find that request.',
    });
  });

  it('when the press failed, then the admin is told to press again', () => {
    expect(followUpOf(undefined, false)).toEqual({
      text: 'That did not work: something went wrong on my side. Press the button again.',
    });
  });

  it('when the answer was for the presser alone (a password), then nothing of it follows', () => {
    const revealed = invokeCard({
      type: 'AdaptiveCard',
      body: [{ type: 'FactSet', facts: [{ title: 'Password', value: 'Xy9!secret' }] }],
    });
    const followUp = followUpOf(revealed, true);
    expect(JSON.stringify(followUp)).not.toContain('Xy9!secret');
    expect(followUp).toEqual({
      text: 'Microsoft 365 has answered. Press the button again to see the outcome: it is shown only to you.',
    });
  });
});

describe('a late press kept while its work goes on', () => {
  const REQUEST = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
  const CARD = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'lowered' }] };

  function pressActivity(verb: string): Partial<Activity> {
    return {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'press-1',
      replyToId: 'card-1',
      serviceUrl: 'https://smba.example.test/',
      channelId: 'msteams',
      from: { id: 'user-1', name: 'Alex', aadObjectId: 'alex-object-id' },
      recipient: { id: 'bot-1', name: 'Bot' },
      conversation: { id: 'chat-1', isGroup: false, conversationType: 'personal', name: '' },
      value: { action: { type: 'Action.Execute', verb, data: { requestId: REQUEST } } },
    };
  }

  function rig(options: { takenOver?: boolean } = {}) {
    const posted: { kind: 'send' | 'update'; cardId?: string; activity: Partial<Activity> }[] = [];
    const kept: LatePress[] = [];
    const ended: string[] = [];
    const lines: string[] = [];
    const ok: Delivery = { ok: true, activityId: 'a', conversationId: 'chat-1', reference: {} };
    const background: Background & { idle: Promise<void>[] } = {
      idle: [],
      run(_label, work) {
        this.idle.push(work());
      },
    };
    const answers = new AnswerInTime({
      followUps: {
        send: async (_reference, activity) => (posted.push({ kind: 'send', activity }), ok),
        update: async (_reference, cardId, activity) => (
          posted.push({ kind: 'update', cardId, activity }),
          ok
        ),
      },
      background,
      latePresses: {
        keep: async (press) => {
          kept.push(press);
          return {
            done: async () => {
              ended.push(press.verb);
              return options.takenOver !== true;
            },
          };
        },
      },
      adapter: new TestAdapter(),
      logger: createLogger('info', (line) => lines.push(line)),
      withinMs: 20,
      private: new Set(['account.reveal']),
    });
    return { answers, posted, kept, ended, lines, background };
  }

  function slow(ms: number, answer = invokeCard(CARD)) {
    const contexts: TurnContext[] = [];
    const handler = async (context: TurnContext) => {
      contexts.push(context);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return answer;
    };
    return { handler, contexts };
  }

  it('when a press is late, then it is kept with its verb, request and activity, and forgotten once its outcome is shown', async () => {
    const { answers, posted, kept, ended, background } = rig();
    const activity = pressActivity('account.downgrade');
    const { handler } = slow(60);
    const answer = await answers.answer(
      'account.downgrade',
      new TurnContext(new TestAdapter(), activity),
      handler,
    );
    expect(answer).toEqual(invokeMessage(STILL_WORKING));
    expect(kept).toEqual([
      { verb: 'account.downgrade', requestId: REQUEST, activity: JSON.parse(JSON.stringify(activity)) },
    ]);
    await waitForWork(background);
    expect(ended).toEqual(['account.downgrade']);
    expect(posted).toMatchObject([{ kind: 'update', cardId: 'card-1' }]);
  });

  it('when a press answers in time, then nothing is kept', async () => {
    const { answers, kept } = rig();
    const { handler } = slow(0);
    await answers.answer(
      'account.downgrade',
      new TurnContext(new TestAdapter(), pressActivity('account.downgrade')),
      handler,
    );
    expect(kept).toEqual([]);
  });

  it('when another runner took the late press over, then this process shows nothing of it', async () => {
    const { answers, posted, background, lines } = rig({ takenOver: true });
    const { handler } = slow(60);
    await answers.answer(
      'account.downgrade',
      new TurnContext(new TestAdapter(), pressActivity('account.downgrade')),
      handler,
    );
    await waitForWork(background);
    expect(posted).toEqual([]);
    expect(lines.join('\n')).toContain('A late card press was finished by another runner');
  });

  it('when a press is done again after a restart, then its handler runs on the kept activity and the pressed card is redrawn', async () => {
    const { answers, posted } = rig();
    const activity = pressActivity('account.downgrade');
    const { handler, contexts } = slow(0);
    await answers.finish(
      { verb: 'account.downgrade', requestId: REQUEST, activity: { ...activity } },
      handler,
    );
    expect(contexts.map((context) => context.activity.from?.aadObjectId)).toEqual(['alex-object-id']);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ kind: 'update', cardId: 'card-1' });
    expect(posted[0].activity.attachments?.[0]?.content).toEqual(CARD);
  });

  it('when a press meant for the presser alone is cut off by a restart, then it is not done again and the admin is asked to press again', async () => {
    const { answers, posted } = rig();
    const { handler, contexts } = slow(0);
    await answers.finish(
      { verb: 'account.reveal', requestId: REQUEST, activity: { ...pressActivity('account.reveal') } },
      handler,
    );
    expect(contexts).toHaveLength(0);
    expect(posted).toEqual([said(PRESS_AGAIN_AFTER_RESTART)]);
  });

  it('when the kept press has a verb the bot no longer answers, then the admin is told the button is gone', async () => {
    const { answers, posted, lines } = rig();
    await answers.finish(
      { verb: 'account.retired', requestId: REQUEST, activity: { ...pressActivity('account.retired') } },
      undefined,
    );
    expect(posted).toEqual([said('That button is no longer available. Send **help** to start again.')]);
    expect(lines.join('\n')).toContain('A late card press has a verb this bot no longer answers');
  });

  it('when a press done again fails, then the admin is told to press again', async () => {
    const { answers, posted, lines } = rig();
    await answers.finish(
      { verb: 'account.downgrade', requestId: REQUEST, activity: { ...pressActivity('account.downgrade') } },
      () => Promise.reject(new Error('Graph said 503')),
    );
    expect(posted).toEqual([
      said('That did not work: something went wrong on my side. Press the button again.'),
    ]);
    expect(lines.join('\n')).toContain('A card press failed after it was answered');
  });
});

/** Words posted to the chat as a new message. */
function said(text: string) {
  return { kind: 'send', activity: { type: 'message', text } };
}

async function waitForWork(background: { idle: Promise<void>[] }): Promise<void> {
  const end = Date.now() + 3_000;
  while (background.idle.length === 0 && Date.now() < end)
    await new Promise((resolve) => setTimeout(resolve, 5));
  await Promise.all(background.idle);
}
