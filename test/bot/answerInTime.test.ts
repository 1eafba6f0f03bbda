/**
 * What a late press's outcome becomes in the chat: the card it drew, the words of a refusal or an
 * error, a plain apology when it failed — and never the answer of a press meant for the presser alone.
 */
import { followUpOf } from '../../src/bot/answerInTime';
import { invokeCard, invokeError, invokeMessage } from '../../src/bot/invokeAnswers';

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
