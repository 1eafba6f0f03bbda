/**
 * Who is acting: always the Teams user of the activity (`from.aadObjectId`), never card data. The
 * object id is the identity; the name is the directory's, looked up once per turn (`DirectoryNames`)
 * by the press gate for a card press and by the form turns for typed commands and form presses.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { type DirectoryNames, uncheckedActor } from '../domain/directoryNames';
import type { Actor } from '../domain/request';

/** The sender as the activity claims: its object id, and the name Teams gave (not checked). */
export function claimedActor(activity: Partial<Activity>): Actor | undefined {
  const from = activity.from;
  return from?.aadObjectId === undefined || from.aadObjectId === ''
    ? undefined
    : { aadObjectId: from.aadObjectId, name: from.name ?? '' };
}

const TURN_ACTOR = Symbol('the actor of this turn, named by the directory');

/** The sender, named by the directory, remembered on the turn for whatever runs in it. */
export async function resolveTurnActor(
  context: TurnContext,
  names: DirectoryNames,
): Promise<Actor | undefined> {
  const resolved = context.turnState.get(TURN_ACTOR) as Actor | undefined;
  if (resolved !== undefined) return resolved;
  const claimed = claimedActor(context.activity);
  if (claimed === undefined) return undefined;
  const actor = await names.resolve(claimed);
  context.turnState.set(TURN_ACTOR, actor);
  return actor;
}

/**
 * The actor of this turn: as `resolveTurnActor` named them, or — on a turn nobody resolved — the
 * activity's sender with the name Teams gave, marked as unchecked.
 */
export function actorOf(context: TurnContext): Actor | undefined {
  const resolved = context.turnState.get(TURN_ACTOR) as Actor | undefined;
  if (resolved !== undefined) return resolved;
  const claimed = claimedActor(context.activity);
  return claimed === undefined ? undefined : uncheckedActor(claimed);
}
