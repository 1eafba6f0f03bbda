/**
 * The owners card, shown in place of the ready card when an owner presses Owners: who looks after the
 * account, a Remove button for each (while more than one is left), and a field to add an admin by
 * email address or user name. The card carries only the request id and, on each Remove, that owner's
 * object id: the bot checks both against the stored request.
 */
import { ownersOf, requestTitle, type ServiceAccountRequest } from '../src/domain/request';
import { type AdaptiveCardJson, literal, renderCard } from './renderCard';

export function ownersCard(
  request: ServiceAccountRequest,
  message: { notice?: string; error?: string } = {},
): AdaptiveCardJson {
  const owners = ownersOf(request);
  return renderCard('owners', {
    requestId: request.id,
    account: literal(requestTitle(request)),
    notice: message.notice ?? '',
    error: message.error ?? '',
    owners: owners.map((owner) => ({ id: owner.aadObjectId, name: literal(owner.name) })),
    canRemove: owners.length > 1,
  });
}
