import { isRecord, isStringArray } from '../http/jsonValue';
import type { AssignedLicense } from '../state/stateTypes';
import { GraphError, graphErrors } from './graphErrors';
import { collectionBody, pageOf } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { requireUser } from './userRoutes';
import { defaultUserView } from './userView';

export const licenseRoutes: readonly GraphRoute[] = [
  {
    method: 'POST',
    template: '/users/{id}/assignLicense',
    versions: ['v1.0'],
    permissions: ['User.ReadWrite.All', 'Directory.ReadWrite.All', 'LicenseAssignment.ReadWrite.All'],
    handler: assignLicense,
  },
  {
    method: 'GET',
    template: '/subscribedSkus',
    versions: ['v1.0'],
    permissions: [
      'Organization.Read.All',
      'Organization.ReadWrite.All',
      'Directory.Read.All',
      'LicenseAssignment.Read.All',
    ],
    handler: listSubscribedSkus,
  },
];

function listSubscribedSkus(ctx: GraphContext): GraphResult {
  const skus = ctx.state.skus.map((sku) => ({
    accountName: ctx.state.organizationName,
    accountId: ctx.state.tenantId,
    appliesTo: 'User',
    capabilityStatus: 'Enabled',
    consumedUnits: ctx.state.consumedUnits(sku),
    id: `${ctx.state.tenantId}_${sku.skuId}`,
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    subscriptionIds: [sku.subscriptionId],
    prepaidUnits: { enabled: sku.enabledUnits, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: sku.servicePlans.map((plan) => ({
      ...plan,
      provisioningStatus: 'Success',
      appliesTo: 'User',
    })),
  }));
  const page = pageOf(skus, {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/v1.0/subscribedSkus`,
  });
  return { status: 200, body: collectionBody(metadataUrl(ctx, 'subscribedSkus'), page) };
}

function parseBody(body: unknown): { add: AssignedLicense[]; remove: string[] } {
  if (!isRecord(body)) throw graphErrors.invalidJson();
  const missing = ['addLicenses', 'removeLicenses'].filter((name) => !Array.isArray(body[name]));
  if (missing.length > 0) {
    throw new GraphError(
      400,
      'BadRequest',
      `One or more parameters of the function import 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(', ')}.`,
    );
  }
  const add = (body.addLicenses as unknown[]).map((item) => {
    if (!isRecord(item) || typeof item.skuId !== 'string')
      throw graphErrors.invalidValue('addLicenses', 'AssignedLicense');
    const disabled = item.disabledPlans ?? [];
    if (!isStringArray(disabled)) throw graphErrors.invalidValue('disabledPlans', 'AssignedLicense');
    return { skuId: item.skuId.toLowerCase(), disabledPlans: disabled };
  });
  const remove = body.removeLicenses;
  if (!isStringArray(remove)) throw graphErrors.invalidValue('removeLicenses', 'AssignedLicense');
  return { add, remove: remove.map((skuId) => skuId.toLowerCase()) };
}

function assignLicense(ctx: GraphContext): GraphResult {
  const { add, remove } = parseBody(ctx.request.body);
  const user = requireUser(ctx);
  const { state } = ctx;
  if (add.length > 0 && user.usageLocation === null) {
    throw graphErrors.badRequest('License assignment cannot be done for user with invalid usage location.');
  }
  for (const license of add) {
    const sku = state.sku(license.skuId);
    if (sku === undefined)
      throw graphErrors.badRequest(
        `License ${license.skuId} does not correspond to a valid company License.`,
      );
    const alreadyHeld = user.assignedLicenses.some((held) => held.skuId === sku.skuId);
    if (!alreadyHeld && state.consumedUnits(sku) >= sku.enabledUnits) {
      throw graphErrors.badRequest(
        `Subscription with SKU ${sku.skuId} does not have any available licenses.`,
      );
    }
  }
  for (const skuId of remove) {
    if (!user.assignedLicenses.some((held) => held.skuId === skuId)) {
      throw graphErrors.badRequest('User does not have a corresponding license.');
    }
  }
  let licences = user.assignedLicenses.filter((held) => !remove.includes(held.skuId));
  for (const license of add) {
    const sku = state.sku(license.skuId);
    if (sku === undefined) continue;
    licences = licences.filter((held) => held.skuId !== sku.skuId);
    licences.push({ skuId: sku.skuId, disabledPlans: license.disabledPlans });
  }
  state.setLicences(user, licences);
  return {
    status: 200,
    body: { '@odata.context': metadataUrl(ctx, 'users/$entity'), ...defaultUserView(state, user) },
  };
}
