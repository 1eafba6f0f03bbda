/**
 * The rules for a ready account's owners (the admins who look after it): who may be added, who may be
 * removed. The list itself is `ownersOf(request)`; a change is written by `RequestStore.amend`.
 */
import { sameUser } from './authorization';
import { type Actor, accountName, ownersOf, type ServiceAccountRequest } from './request';
import type { DirectoryUser } from './tenant';
import { literal } from './words';

export type OwnersChange = { owners: Actor[]; person: Actor } | { refused: string };

/**
 * The owners with `user` added. Refused for the service account itself; `already` when the user is an
 * owner (nothing to change). Whether the user is an admin is asked by the caller.
 */
export function ownersWith(
  request: ServiceAccountRequest,
  user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName' | 'accountEnabled'>,
): OwnersChange | { already: Actor } {
  const owners = ownersOf(request);
  const person: Actor = { aadObjectId: user.id, name: user.displayName };
  const known = owners.find((owner) => sameUser(owner.aadObjectId, user.id));
  if (known !== undefined) return { already: known };
  if (user.userPrincipalName.toLowerCase() === accountName(request).toLowerCase())
    return { refused: 'That is the service account itself: it cannot look after itself.' };
  if (!user.accountEnabled)
    return {
      refused: `${literal(user.displayName)}'s account is disabled, so they cannot look after this account.`,
    };
  return { owners: [...owners, person], person };
}

/**
 * The owners without the one whose object id is `ownerId`. Refused when no owner has that id (a card
 * from before a change, or forged), and for the last owner: someone must always look after the account.
 */
export function ownersWithout(request: ServiceAccountRequest, ownerId: string): OwnersChange {
  const owners = ownersOf(request);
  const person = owners.find((owner) => sameUser(owner.aadObjectId, ownerId));
  if (person === undefined)
    return { refused: 'That person does not look after this account, so there is nobody to remove.' };
  if (owners.length === 1)
    return {
      refused: `${literal(person.name)} is the only owner left, and someone must look after this account: add another owner first.`,
    };
  return { owners: owners.filter((owner) => owner !== person), person };
}
