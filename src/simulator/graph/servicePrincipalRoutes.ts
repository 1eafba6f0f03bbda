import type { SimServicePrincipal } from '../state/stateTypes';
import { graphErrors } from './graphErrors';
import { compileFilter } from './odataFilter';
import { collectionBody, pageOf, parseSelect, project } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';

/** Application permissions that read service principals (servicePrincipal-list.md, Permissions). */
const READ = [
  'Application.Read.All',
  'Application.ReadWrite.OwnedBy',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

const PROPERTIES = [
  'id',
  'accountEnabled',
  'appDisplayName',
  'appId',
  'appOwnerOrganizationId',
  'appRoleAssignmentRequired',
  'createdDateTime',
  'deletedDateTime',
  'displayName',
  'servicePrincipalNames',
  'servicePrincipalType',
  'signInAudience',
  'tags',
];
const FILTERABLE = ['id', 'appId', 'displayName', 'accountEnabled', 'servicePrincipalType'];

/**
 * Entra enterprise applications, read-only: `GET /servicePrincipals` (with `$filter=appId eq '…'`,
 * `$select`, `$top`) answers `value: []` when nothing matches; `GET /servicePrincipals/{id}` is 404
 * `Request_ResourceNotFound` for an unknown object id. A disabled one is listed with
 * `accountEnabled: false`. Shapes: microsoft-graph-docs-contrib api-reference/v1.0/api/
 * serviceprincipal-list.md and serviceprincipal-get.md (a subset of the properties).
 */
export const servicePrincipalRoutes: readonly GraphRoute[] = [
  {
    method: 'GET',
    template: '/servicePrincipals',
    versions: ['v1.0', 'beta'],
    permissions: READ,
    handler: listServicePrincipals,
  },
  {
    method: 'GET',
    template: '/servicePrincipals/{id}',
    versions: ['v1.0', 'beta'],
    permissions: READ,
    handler: getServicePrincipal,
  },
];

function servicePrincipalView(principal: SimServicePrincipal): Record<string, unknown> {
  return {
    id: principal.id,
    deletedDateTime: null,
    accountEnabled: principal.accountEnabled,
    appDisplayName: principal.displayName,
    appId: principal.appId,
    appOwnerOrganizationId: principal.appOwnerOrganizationId,
    appRoleAssignmentRequired: false,
    createdDateTime: principal.createdDateTime,
    displayName: principal.displayName,
    servicePrincipalNames: [principal.appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMultipleOrgs',
    tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
  };
}

function listServicePrincipals(ctx: GraphContext): GraphResult {
  const select = parseSelect(ctx.request.query, PROPERTIES, 'servicePrincipal');
  const filterText = ctx.request.query.get('$filter');
  const predicate =
    filterText === null ? undefined : compileFilter(filterText, FILTERABLE, 'ServicePrincipal');
  const views = ctx.state.servicePrincipals
    .map(servicePrincipalView)
    .filter((view) => predicate === undefined || predicate(view));
  const page = pageOf(views, {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/${ctx.version}/servicePrincipals`,
  });
  const items = page.items.map((view) => project(view, select));
  const context = select === undefined ? 'servicePrincipals' : `servicePrincipals(${select.join(',')})`;
  return { status: 200, body: collectionBody(metadataUrl(ctx, context), { ...page, items }) };
}

function getServicePrincipal(ctx: GraphContext): GraphResult {
  const select = parseSelect(ctx.request.query, PROPERTIES, 'servicePrincipal');
  const principal = ctx.state.servicePrincipals.find(
    (candidate) => candidate.id.toLowerCase() === ctx.params.id.toLowerCase(),
  );
  if (principal === undefined) throw graphErrors.notFound(ctx.params.id);
  return {
    status: 200,
    body: {
      '@odata.context': metadataUrl(ctx, 'servicePrincipals/$entity'),
      ...project(servicePrincipalView(principal), select),
    },
  };
}
