/** Who is acting: always the Teams user of the activity (`from.aadObjectId`), never card data. */
import type { Activity } from 'botbuilder';
import type { Actor } from '../domain/request';

export function actorOf(activity: Partial<Activity>): Actor | undefined {
  const from = activity.from;
  return from?.aadObjectId === undefined || from.aadObjectId === ''
    ? undefined
    : { aadObjectId: from.aadObjectId, name: from.name ?? '' };
}
