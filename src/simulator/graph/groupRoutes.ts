import { isRecord, isStringArray } from '../http/jsonValue';
import { graphErrors } from './graphErrors';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { requireUser } from './userRoutes';

const GROUP_MEMBER_READ = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'];

/** Graph answers at most 20 group ids per `checkMemberGroups` call. */
const MAX_GROUP_IDS = 20;

export const groupRoutes: readonly GraphRoute[] = [
  {
    method: 'POST',
    template: '/users/{id}/checkMemberGroups',
    versions: ['v1.0', 'beta'],
    permissions: GROUP_MEMBER_READ,
    handler: checkMemberGroups,
  },
];

/** Which of the given groups the user is a member of (direct membership in the simulator). */
function checkMemberGroups(ctx: GraphContext): GraphResult {
  const user = requireUser(ctx);
  const body = ctx.request.body;
  const groupIds = isRecord(body) ? body.groupIds : undefined;
  if (!isStringArray(groupIds))
    throw graphErrors.badRequest("The request body must have 'groupIds': an array of strings.");
  if (groupIds.length > MAX_GROUP_IDS) {
    throw graphErrors.badRequest(`At most ${MAX_GROUP_IDS} group ids can be checked in one request.`);
  }
  const wanted = new Set(groupIds.map((id) => id.toLowerCase()));
  const value = ctx.state.groups
    .filter((group) => wanted.has(group.id.toLowerCase()) && group.memberIds.includes(user.id))
    .map((group) => group.id);
  return { status: 200, body: { '@odata.context': metadataUrl(ctx, 'Collection(Edm.String)'), value } };
}
