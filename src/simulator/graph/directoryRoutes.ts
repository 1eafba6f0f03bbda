import type { SimDomain } from '../state/stateTypes';
import { graphErrors } from './graphErrors';
import { collectionBody, pageOf } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';

const DOMAIN_READ = [
  'Domain.Read.All',
  'Domain.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const ORG_READ = [
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'Directory.Read.All',
  'User.Read.All',
  'User.ReadWrite.All',
];

export const directoryRoutes: readonly GraphRoute[] = [
  { method: 'GET', template: '/domains', versions: ['v1.0'], permissions: DOMAIN_READ, handler: listDomains },
  {
    method: 'GET',
    template: '/domains/{id}',
    versions: ['v1.0'],
    permissions: DOMAIN_READ,
    handler: getDomain,
  },
  {
    method: 'GET',
    template: '/organization',
    versions: ['v1.0'],
    permissions: ORG_READ,
    handler: listOrganization,
  },
];

function domainView(domain: SimDomain): Record<string, unknown> {
  return {
    authenticationType: domain.authenticationType,
    availabilityStatus: null,
    id: domain.id,
    isAdminManaged: true,
    isDefault: domain.isDefault,
    isInitial: domain.isInitial,
    isRoot: true,
    isVerified: domain.isVerified,
    supportedServices: [...domain.supportedServices],
    passwordValidityPeriodInDays: domain.isVerified ? 2147483647 : null,
    passwordNotificationWindowInDays: domain.isVerified ? 14 : null,
    state: null,
  };
}

function listDomains(ctx: GraphContext): GraphResult {
  const page = pageOf(ctx.state.domains.map(domainView), {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/v1.0/domains`,
  });
  return { status: 200, body: collectionBody(metadataUrl(ctx, 'domains'), page) };
}

function getDomain(ctx: GraphContext): GraphResult {
  const domain = ctx.state.domain(ctx.params.id);
  if (domain === undefined) throw graphErrors.notFound(ctx.params.id);
  return {
    status: 200,
    body: { '@odata.context': metadataUrl(ctx, 'domains/$entity'), ...domainView(domain) },
  };
}

function listOrganization(ctx: GraphContext): GraphResult {
  const { state } = ctx;
  const organization = {
    id: state.tenantId,
    displayName: state.organizationName,
    countryLetterCode: 'US',
    preferredLanguage: 'en',
    tenantType: 'AAD',
    verifiedDomains: state.domains
      .filter((domain) => domain.isVerified)
      .map((domain) => ({
        capabilities: domain.supportedServices.join(', '),
        isDefault: domain.isDefault,
        isInitial: domain.isInitial,
        name: domain.id,
        type: domain.authenticationType,
      })),
  };
  return { status: 200, body: collectionBody(metadataUrl(ctx, 'organization'), { items: [organization] }) };
}
