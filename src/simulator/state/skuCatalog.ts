import type { SimServicePlan } from './stateTypes';

/** Real Microsoft 365 SKU and service-plan ids (from Microsoft's licensing service-plan reference). */
export interface CatalogSku {
  skuId: string;
  skuPartNumber: string;
  servicePlans: SimServicePlan[];
}

const EXCHANGE_S_STANDARD = {
  servicePlanId: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  servicePlanName: 'EXCHANGE_S_STANDARD',
};
const EXCHANGE_S_DESKLESS = {
  servicePlanId: '4a82b400-a79f-41a4-b4e2-e94f5787b113',
  servicePlanName: 'EXCHANGE_S_DESKLESS',
};
const EXCHANGE_S_ENTERPRISE = {
  servicePlanId: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  servicePlanName: 'EXCHANGE_S_ENTERPRISE',
};
const EXCHANGE_S_FOUNDATION = {
  servicePlanId: '113feb6c-3fe4-4440-bddc-54d774bf0318',
  servicePlanName: 'EXCHANGE_S_FOUNDATION',
};
const TEAMS1 = { servicePlanId: '57ff2da0-773e-42df-b2af-ffb7a2317929', servicePlanName: 'TEAMS1' };
const SHAREPOINTDESKLESS = {
  servicePlanId: '902b47e5-dcb2-4fdc-858b-c63a90a2bdb9',
  servicePlanName: 'SHAREPOINTDESKLESS',
};
const SHAREPOINTENTERPRISE = {
  servicePlanId: '5dbe027f-2339-4123-9542-606e4d348a72',
  servicePlanName: 'SHAREPOINTENTERPRISE',
};
const OFFICESUBSCRIPTION = {
  servicePlanId: '43de0ff5-c92c-492b-9116-175376d08c38',
  servicePlanName: 'OFFICESUBSCRIPTION',
};
const AAD_PREMIUM = { servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM' };

export const SKUS = {
  EXCHANGESTANDARD: {
    skuId: '4b9405b0-7788-4568-add1-99614e613b69',
    skuPartNumber: 'EXCHANGESTANDARD',
    servicePlans: [EXCHANGE_S_STANDARD],
  },
  EXCHANGEDESKLESS: {
    skuId: '80b2d799-d2ba-4d2a-8842-fb0d0f3a4b82',
    skuPartNumber: 'EXCHANGEDESKLESS',
    servicePlans: [EXCHANGE_S_DESKLESS],
  },
  SPE_F1: {
    skuId: '66b55226-6b4f-492c-910c-a3b7a3c9d993',
    skuPartNumber: 'SPE_F1',
    servicePlans: [EXCHANGE_S_DESKLESS, TEAMS1, SHAREPOINTDESKLESS, AAD_PREMIUM],
  },
  M365_F1: {
    skuId: '44575883-256e-4a79-9da4-ebe9acabe2b2',
    skuPartNumber: 'M365_F1',
    servicePlans: [EXCHANGE_S_FOUNDATION, TEAMS1, SHAREPOINTDESKLESS, AAD_PREMIUM],
  },
  ENTERPRISEPACK: {
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    skuPartNumber: 'ENTERPRISEPACK',
    servicePlans: [EXCHANGE_S_ENTERPRISE, TEAMS1, SHAREPOINTENTERPRISE, OFFICESUBSCRIPTION],
  },
} as const satisfies Record<string, CatalogSku>;

/** Service plans that give the user an Exchange Online mailbox. */
const MAILBOX_PLAN_IDS = new Set<string>([
  EXCHANGE_S_STANDARD.servicePlanId,
  EXCHANGE_S_DESKLESS.servicePlanId,
  EXCHANGE_S_ENTERPRISE.servicePlanId,
]);

export function hasMailboxPlan(
  plans: readonly SimServicePlan[],
  disabledPlans: readonly string[] = [],
): boolean {
  return plans.some(
    (plan) => MAILBOX_PLAN_IDS.has(plan.servicePlanId) && !disabledPlans.includes(plan.servicePlanId),
  );
}
