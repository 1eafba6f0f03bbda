import { createHash } from 'node:crypto';
import type { SimUser } from '../state/stateTypes';
import { createUserRecord } from '../state/userRecord';
import { graphErrors } from './graphErrors';
import { compileFilter } from './odataFilter';
import { collectionBody, pageOf, parseSelect, project } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { defaultUserView, pickDefault, USER_FILTERABLE, USER_PROPERTIES, userEntity } from './userView';
import { validateUserBody, type UserChanges } from './userValidation';

const READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];

export const userRoutes: readonly GraphRoute[] = [
  { method: 'GET', template: '/users', versions: ['v1.0'], permissions: READ, handler: listUsers },
  { method: 'POST', template: '/users', versions: ['v1.0'], permissions: WRITE, handler: createUser },
  { method: 'GET', template: '/users/{id}', versions: ['v1.0'], permissions: READ, handler: getUser },
  { method: 'PATCH', template: '/users/{id}', versions: ['v1.0'], permissions: WRITE, handler: updateUser },
  { method: 'DELETE', template: '/users/{id}', versions: ['v1.0'], permissions: WRITE, handler: deleteUser },
];

/** The user a route's `{id}` names (object id or UPN), or Graph's 404. */
export function requireUser(ctx: GraphContext): SimUser {
  const id = ctx.params.id;
  const user = ctx.state.findUser(id);
  if (user === undefined) throw graphErrors.notFound(id);
  return user;
}

function selectContext(select: readonly string[] | undefined): string {
  return select === undefined ? 'users' : `users(${select.join(',')})`;
}

function listUsers(ctx: GraphContext): GraphResult {
  const select = parseSelect(ctx.request.query, USER_PROPERTIES, 'user');
  const filterText = ctx.request.query.get('$filter');
  const predicate = filterText === null ? undefined : compileFilter(filterText, USER_FILTERABLE, 'User');
  const entities = ctx.state
    .listUsers()
    .map((user) => userEntity(ctx.state, user))
    .filter((entity) => predicate === undefined || predicate(entity));
  const page = pageOf(entities, {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/${ctx.version}/users`,
  });
  const items = page.items.map((entity) =>
    select === undefined ? pickDefault(entity) : project(entity, select),
  );
  return { status: 200, body: collectionBody(metadataUrl(ctx, selectContext(select)), { ...page, items }) };
}

function getUser(ctx: GraphContext): GraphResult {
  const select = parseSelect(ctx.request.query, USER_PROPERTIES, 'user');
  const user = requireUser(ctx);
  const view =
    select === undefined ? defaultUserView(ctx.state, user) : project(userEntity(ctx.state, user), select);
  return {
    status: 200,
    body: { '@odata.context': metadataUrl(ctx, `${selectContext(select)}/$entity`), ...view },
  };
}

function rejectDuplicateUpn(ctx: GraphContext, upn: string, self?: SimUser): void {
  const other = ctx.state.findUser(upn);
  if (other !== undefined && other !== self) {
    const message = 'Another object with the same value for property userPrincipalName already exists.';
    throw graphErrors.badRequest(message, [{ code: 'ObjectConflict', message, target: 'userPrincipalName' }]);
  }
}

function applyChanges(user: SimUser, changes: UserChanges): void {
  const { password, ...fields } = changes;
  Object.assign(user, fields);
  if (password !== undefined) user.passwordSha256 = createHash('sha256').update(password).digest('hex');
}

function createUser(ctx: GraphContext): GraphResult {
  const changes = validateUserBody(ctx.request.body, 'create', ctx.state);
  const upn = changes.userPrincipalName ?? '';
  rejectDuplicateUpn(ctx, upn);
  const user = createUserRecord(
    {
      id: ctx.ids.guid(),
      userPrincipalName: upn,
      displayName: changes.displayName ?? '',
      mailNickname: changes.mailNickname ?? '',
    },
    ctx.state.clock.now(),
  );
  applyChanges(user, changes);
  ctx.state.addUser(user);
  return {
    status: 201,
    headers: {
      Location: `${ctx.baseUrl}/v2/${ctx.state.tenantId}/directoryObjects/${user.id}/Microsoft.DirectoryServices.User`,
    },
    body: { '@odata.context': metadataUrl(ctx, 'users/$entity'), ...defaultUserView(ctx.state, user) },
  };
}

function updateUser(ctx: GraphContext): GraphResult {
  const user = requireUser(ctx);
  const changes = validateUserBody(ctx.request.body, 'update', ctx.state, user);
  if (changes.userPrincipalName !== undefined && changes.userPrincipalName !== null) {
    rejectDuplicateUpn(ctx, changes.userPrincipalName, user);
  }
  applyChanges(user, changes);
  ctx.state.changed();
  return { status: 204 };
}

function deleteUser(ctx: GraphContext): GraphResult {
  const user = requireUser(ctx);
  ctx.state.deleteUser(user.id);
  return { status: 204 };
}
