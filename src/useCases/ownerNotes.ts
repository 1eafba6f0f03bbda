/** A note to the owners of an account about what one of them did: everyone but the actor (and `skip`). */
import { sameUser } from '../domain/authorization';
import { type Actor, ownersOf, type ServiceAccountRequest } from '../domain/request';
import type { Services } from './services';

export async function tellOtherOwners(
  services: Pick<Services, 'notifier'>,
  request: ServiceAccountRequest,
  actor: Actor,
  text: string,
  skip?: Actor,
): Promise<void> {
  for (const owner of ownersOf(request)) {
    if (sameUser(owner.aadObjectId, actor.aadObjectId)) continue;
    if (skip !== undefined && sameUser(owner.aadObjectId, skip.aadObjectId)) continue;
    await services.notifier.tellPerson(request, owner, text);
  }
}
