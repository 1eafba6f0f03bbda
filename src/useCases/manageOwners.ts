/**
 * An owner of a ready account presses Owners, then adds or removes one. Story: the press gate admitted
 * an owner → only a `Ready` request, and the actor still one of its owners → the new owner resolved
 * from what the actor typed (never an id from the card) and asked whether they are an admin, or the
 * owner to remove found on the stored request → the new list written by compare-and-set → only the
 * press that wrote it audits and tells the person and the other owners.
 */
import { type AccessChecks, ADMIN_ROLE_NAMES, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import { ownersWith, ownersWithout } from '../domain/owners';
import { ownerOnlyMessage } from '../domain/pressRules';
import { type Actor, accountName, auditRecord, isOwner, type ServiceAccountRequest } from '../domain/request';
import { tellOtherOwners } from './ownerNotes';
import type { Services } from './services';
import { literal } from '../domain/words';

export type OwnersOutcome =
  /** The owners card to draw: the list as stored now, with what happened (`notice`) or what was wrong (`error`). */
  | { kind: 'owners'; request: ServiceAccountRequest; notice: string; error: string }
  /** The actor removed themself: they no longer see the card's buttons. */
  | { kind: 'left'; message: string }
  | { kind: 'refused'; message: string };

export type OwnersServices = Pick<Services, 'requests' | 'audit' | 'notifier' | 'directory' | 'now'> & {
  access: AccessChecks;
};

/** Longer than any user principal name (113 characters) or email address Entra accepts. */
const MAX_TYPED = 256;

/** Why this actor may not change this request's owners now; undefined when they may. */
function refusal(actor: Actor, request: ServiceAccountRequest): string | undefined {
  if (request.state !== 'Ready') return 'Owners can be changed once the account is ready.';
  if (!isOwner(request, actor.aadObjectId)) return ownerOnlyMessage(request);
  return undefined;
}

const shown = (request: ServiceAccountRequest, notice = '', error = ''): OwnersOutcome => ({
  kind: 'owners',
  request,
  notice,
  error,
});

/** The owners card, as the request stands. */
export function showOwners(actor: Actor, request: ServiceAccountRequest): OwnersOutcome {
  const refused = refusal(actor, request);
  return refused === undefined ? shown(request) : { kind: 'refused', message: refused };
}

/** When another change won the compare-and-set: the list as it stands now, and nothing recorded. */
async function lostRace(services: OwnersServices, request: ServiceAccountRequest): Promise<OwnersOutcome> {
  const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
  return shown(
    current,
    '',
    'Someone changed this account’s owners at the same moment, so I changed nothing. Here is the list as it stands now: try again if you still need to.',
  );
}

/** Adds the admin the actor typed (user principal name, email address or user name). */
export async function addOwner(
  services: OwnersServices,
  actor: Actor,
  request: ServiceAccountRequest,
  typed: string,
): Promise<OwnersOutcome> {
  const refused = refusal(actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const wanted = typed.trim();
  if (wanted === '') return shown(request, '', 'Type the email address or user name of the admin to add.');
  if (wanted.length > MAX_TYPED)
    return shown(request, '', 'That is too long for an email address or user name.');
  let user;
  try {
    user = await services.directory.findUserBySignInName(wanted);
  } catch (error) {
    if (isAppError(error, 'BadRequest'))
      return shown(request, '', 'That is not a user name or email address I can look up.');
    throw error;
  }
  if (user === undefined)
    return shown(
      request,
      '',
      `I could not find ${literal(wanted)} in your directory. Check the spelling and try again.`,
    );
  const change = ownersWith(request, user);
  if ('already' in change)
    return shown(request, `${literal(change.already.name)} already looks after this account.`);
  if ('refused' in change) return shown(request, '', change.refused);
  if (!(await services.access.isAdmin(user.id)))
    return shown(
      request,
      '',
      `${literal(user.displayName)} is not a ${ADMIN_ROLE_NAMES}, so they cannot look after an account that is a Global Administrator.`,
    );
  const now = services.now().toISOString();
  const amended = await services.requests.amend(
    request.tenantId,
    request.id,
    { version: request.version, states: ['Ready'] },
    { owners: change.owners },
    now,
  );
  if (amended === undefined) return lostRace(services, request);
  await services.audit.append(
    auditRecord(
      amended,
      actor,
      'owner added',
      'Ready',
      now,
      `${user.displayName} (${user.userPrincipalName})`,
    ),
  );
  const account = accountName(request);
  await services.notifier.tellPerson(
    amended,
    change.person,
    `${literal(actor.name)} made you an owner of ${account}: you are told what happens to it and may press the buttons of its ready card.`,
  );
  await tellOtherOwners(
    services,
    amended,
    actor,
    `${literal(actor.name)} added ${literal(user.displayName)} as an owner of ${account}.`,
    change.person,
  );
  return shown(amended, `${literal(user.displayName)} now looks after this account too.`);
}

/** Removes the owner whose object id the card carried, if that person is an owner on the stored request. */
export async function removeOwner(
  services: OwnersServices,
  actor: Actor,
  request: ServiceAccountRequest,
  ownerId: string,
): Promise<OwnersOutcome> {
  const refused = refusal(actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const change = ownersWithout(request, ownerId);
  if ('refused' in change) return { kind: 'refused', message: change.refused };
  const now = services.now().toISOString();
  const amended = await services.requests.amend(
    request.tenantId,
    request.id,
    { version: request.version, states: ['Ready'] },
    { owners: change.owners },
    now,
  );
  if (amended === undefined) return lostRace(services, request);
  const { person } = change;
  await services.audit.append(auditRecord(amended, actor, 'owner removed', 'Ready', now, person.name));
  const account = accountName(request);
  const self = sameUser(person.aadObjectId, actor.aadObjectId);
  if (!self)
    await services.notifier.tellPerson(
      amended,
      person,
      `${literal(actor.name)} removed you as an owner of ${account}: you are no longer told what happens to it, and its buttons no longer work for you.`,
    );
  await tellOtherOwners(
    services,
    amended,
    actor,
    self
      ? `${literal(actor.name)} no longer looks after ${account}.`
      : `${literal(actor.name)} removed ${literal(person.name)} as an owner of ${account}.`,
  );
  if (self)
    return {
      kind: 'left',
      message: `You no longer look after ${account}. The other owners were told.`,
    };
  return shown(amended, `${literal(person.name)} no longer looks after this account.`);
}
