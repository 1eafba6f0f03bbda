import { isRecord } from '../http/jsonValue';
import type { SimRoleAssignment, SimRoleDefinition } from '../state/stateTypes';
import { roleAssignmentId } from '../state/userRecord';
import { GraphError, graphErrors } from './graphErrors';
import { compileFilter } from './odataFilter';
import { collectionBody, pageOf } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { defaultUserView } from './userView';

const READ = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.Read.All',
];
const WRITE = ['RoleManagement.ReadWrite.Directory'];
const BASE = '/roleManagement/directory';

export const roleRoutes: readonly GraphRoute[] = [
  {
    method: 'GET',
    template: `${BASE}/roleDefinitions`,
    versions: ['v1.0'],
    permissions: READ,
    handler: listDefinitions,
  },
  {
    method: 'GET',
    template: `${BASE}/roleDefinitions/{id}`,
    versions: ['v1.0'],
    permissions: READ,
    handler: getDefinition,
  },
  {
    method: 'GET',
    template: `${BASE}/roleAssignments`,
    versions: ['v1.0'],
    permissions: READ,
    handler: listAssignments,
  },
  {
    method: 'POST',
    template: `${BASE}/roleAssignments`,
    versions: ['v1.0'],
    permissions: WRITE,
    handler: createAssignment,
  },
  {
    method: 'GET',
    template: `${BASE}/roleAssignments/{id}`,
    versions: ['v1.0'],
    permissions: READ,
    handler: getAssignment,
  },
  {
    method: 'DELETE',
    template: `${BASE}/roleAssignments/{id}`,
    versions: ['v1.0'],
    permissions: WRITE,
    handler: deleteAssignment,
  },
];

function definitionView(definition: SimRoleDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    description: definition.description,
    displayName: definition.displayName,
    isBuiltIn: true,
    isEnabled: true,
    resourceScopes: ['/'],
    templateId: definition.id,
    version: '1',
    rolePermissions: [{ allowedResourceActions: [], condition: null }],
  };
}

function listDefinitions(ctx: GraphContext): GraphResult {
  const filterText = ctx.request.query.get('$filter');
  const predicate =
    filterText === null
      ? undefined
      : compileFilter(filterText, ['id', 'displayName', 'templateId', 'isBuiltIn'], 'UnifiedRoleDefinition');
  const views = ctx.state.roleDefinitions
    .map(definitionView)
    .filter((view) => predicate === undefined || predicate(view));
  const page = pageOf(views, {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/v1.0${BASE}/roleDefinitions`,
  });
  return {
    status: 200,
    body: collectionBody(metadataUrl(ctx, 'roleManagement/directory/roleDefinitions'), page),
  };
}

function getDefinition(ctx: GraphContext): GraphResult {
  const definition = ctx.state.roleDefinitions.find(
    (candidate) => candidate.id === ctx.params.id.toLowerCase(),
  );
  if (definition === undefined) throw graphErrors.notFound(ctx.params.id);
  return {
    status: 200,
    body: {
      '@odata.context': metadataUrl(ctx, 'roleManagement/directory/roleDefinitions/$entity'),
      ...definitionView(definition),
    },
  };
}

function assignmentView(
  ctx: GraphContext,
  assignment: SimRoleAssignment,
  expand: readonly string[],
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: assignment.id,
    principalId: assignment.principalId,
    directoryScopeId: assignment.directoryScopeId,
    roleDefinitionId: assignment.roleDefinitionId,
  };
  if (expand.includes('principal')) {
    const user = ctx.state.findUser(assignment.principalId);
    view.principal =
      user === undefined
        ? null
        : { '@odata.type': '#microsoft.graph.user', ...defaultUserView(ctx.state, user) };
  }
  if (expand.includes('roleDefinition')) {
    const definition = ctx.state.roleDefinitions.find(
      (candidate) => candidate.id === assignment.roleDefinitionId,
    );
    view.roleDefinition = definition === undefined ? null : definitionView(definition);
  }
  return view;
}

function parseExpand(ctx: GraphContext): string[] {
  const raw = ctx.request.query.get('$expand');
  if (raw === null || raw.trim() === '') return [];
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name !== 'principal' && name !== 'roleDefinition') {
      throw new GraphError(
        400,
        'BadRequest',
        `Could not find a property named '${name}' on type 'microsoft.graph.unifiedRoleAssignment'.`,
      );
    }
  }
  return names;
}

function listAssignments(ctx: GraphContext): GraphResult {
  const expand = parseExpand(ctx);
  const filterText = ctx.request.query.get('$filter');
  const predicate =
    filterText === null
      ? undefined
      : compileFilter(
          filterText,
          ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId'],
          'UnifiedRoleAssignment',
        );
  const views = ctx.state.roleAssignments
    .map((assignment) => assignmentView(ctx, assignment, []))
    .filter((view) => predicate === undefined || predicate(view));
  const page = pageOf(views, {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/v1.0${BASE}/roleAssignments`,
  });
  const items = page.items.map((view) => {
    const assignment = ctx.state.roleAssignments.find((candidate) => candidate.id === view.id);
    return assignment === undefined ? view : assignmentView(ctx, assignment, expand);
  });
  return {
    status: 200,
    body: collectionBody(metadataUrl(ctx, 'roleManagement/directory/roleAssignments'), { ...page, items }),
  };
}

function findAssignment(ctx: GraphContext): SimRoleAssignment {
  const assignment = ctx.state.roleAssignments.find((candidate) => candidate.id === ctx.params.id);
  if (assignment === undefined) throw graphErrors.notFound(ctx.params.id);
  return assignment;
}

function getAssignment(ctx: GraphContext): GraphResult {
  const view = assignmentView(ctx, findAssignment(ctx), parseExpand(ctx));
  return {
    status: 200,
    body: { '@odata.context': metadataUrl(ctx, 'roleManagement/directory/roleAssignments/$entity'), ...view },
  };
}

function createAssignment(ctx: GraphContext): GraphResult {
  const body = ctx.request.body;
  if (!isRecord(body)) throw graphErrors.invalidJson();
  for (const name of ['roleDefinitionId', 'principalId', 'directoryScopeId']) {
    if (typeof body[name] !== 'string' || body[name] === '')
      throw graphErrors.requiredProperty(name, 'UnifiedRoleAssignment');
  }
  const roleDefinitionId = String(body.roleDefinitionId).toLowerCase();
  const principalId = String(body.principalId).toLowerCase();
  const directoryScopeId = String(body.directoryScopeId);
  if (directoryScopeId !== '/' && !directoryScopeId.startsWith('/administrativeUnits/')) {
    throw graphErrors.invalidValue('directoryScopeId', 'UnifiedRoleAssignment');
  }
  if (!ctx.state.roleDefinitions.some((definition) => definition.id === roleDefinitionId))
    throw graphErrors.notFound(roleDefinitionId);
  const principal = ctx.state.findUser(principalId);
  if (principal === undefined) throw graphErrors.notFound(principalId);
  const duplicate = ctx.state.roleAssignments.some(
    (assignment) =>
      assignment.roleDefinitionId === roleDefinitionId &&
      assignment.principalId === principal.id &&
      assignment.directoryScopeId === directoryScopeId,
  );
  if (duplicate) throw graphErrors.conflictingObject();
  const assignment = {
    id: roleAssignmentId(roleDefinitionId, principal.id),
    roleDefinitionId,
    principalId: principal.id,
    directoryScopeId,
  };
  ctx.state.roleAssignments.push(assignment);
  ctx.state.changed();
  return {
    status: 201,
    headers: { Location: `${ctx.baseUrl}/v1.0${BASE}/roleAssignments/${assignment.id}` },
    body: {
      '@odata.context': metadataUrl(ctx, 'roleManagement/directory/roleAssignments/$entity'),
      ...assignmentView(ctx, assignment, []),
    },
  };
}

function deleteAssignment(ctx: GraphContext): GraphResult {
  const assignment = findAssignment(ctx);
  ctx.state.roleAssignments = ctx.state.roleAssignments.filter((candidate) => candidate !== assignment);
  ctx.state.changed();
  return { status: 204 };
}
