import { isRecord, isStringArray } from '../http/jsonValue';
import { guidFrom } from '../token/tokenService';
import { graphErrors } from './graphErrors';
import { collectionBody, pageOf, parseSelect, project } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { requireUser } from './userRoutes';

const GROUP_MEMBER_READ = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'];
/**
 * user-list-transitivememberof (Microsoft Graph v1.0): application permission User.Read.All (least
 * privileged), or GroupMember.Read.All, Group.Read.All, Directory.Read.All and their ReadWrite forms.
 */
const MEMBERSHIP_READ = [
  'User.Read.All',
  'User.ReadWrite.All',
  'GroupMember.Read.All',
  'Group.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const DIRECTORY_OBJECT_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'securityEnabled',
  'mailEnabled',
  'groupTypes',
  'roleTemplateId',
];

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
  {
    method: 'GET',
    template: '/users/{id}/transitiveMemberOf',
    versions: ['v1.0', 'beta'],
    permissions: MEMBERSHIP_READ,
    handler: transitiveMemberOf,
  },
];

/**
 * `GET /users/{id}/transitiveMemberOf` (user-list-transitivememberof): the groups, directory roles
 * and administrative units the user is in, directly or through other groups, as a `directoryObject`
 * collection whose items carry their `@odata.type` (`#microsoft.graph.group`,
 * `#microsoft.graph.directoryRole`); `$select` is honoured, default page 100. The simulator's groups
 * hold users only, so direct membership is all there is; a directory role the user holds tenant-wide
 * appears as the activated `directoryRole` of that template.
 */
function transitiveMemberOf(ctx: GraphContext): GraphResult {
  const user = requireUser(ctx);
  const select = parseSelect(ctx.request.query, DIRECTORY_OBJECT_PROPERTIES, 'directoryObject');
  const groups = ctx.state.groups
    .filter((group) => group.memberIds.includes(user.id))
    .map((group) => ({
      '@odata.type': '#microsoft.graph.group',
      id: group.id,
      displayName: group.displayName,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      groupTypes: [],
    }));
  const roles = [
    ...new Set(
      ctx.state.roleAssignments
        .filter((assignment) => assignment.principalId === user.id && assignment.directoryScopeId === '/')
        .map((assignment) => assignment.roleDefinitionId),
    ),
  ].map((templateId) => ({
    '@odata.type': '#microsoft.graph.directoryRole',
    id: guidFrom(`directoryRole:${templateId}`),
    displayName: ctx.state.roleDefinitions.find((definition) => definition.id === templateId)?.displayName,
    description: null,
    roleTemplateId: templateId,
  }));
  const page = pageOf([...groups, ...roles], {
    query: ctx.request.query,
    defaultPageSize: Math.min(ctx.pageSize, 100),
    collectionUrl: `${ctx.baseUrl}/${ctx.version}/users/${user.id}/transitiveMemberOf`,
  });
  const items = page.items.map((item) =>
    select === undefined ? item : { '@odata.type': item['@odata.type'], ...project(item, select) },
  );
  return {
    status: 200,
    body: collectionBody(metadataUrl(ctx, 'directoryObjects'), { ...page, items }),
  };
}

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
