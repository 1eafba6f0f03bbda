/**
 * The steps a request's set-up takes, in order, as the progress card lists them: the service
 * account's (without the "App Impersonation" role group where an app is granted instead), then the
 * app's grant, or only one of the two.
 */
import { APP_ACCESS_PLAN } from './appAccessSteps';
import { planOf } from './provisionAccount';
import type { StepName } from './provisioningSteps';
import { appGrant, createsAccount, type ServiceAccountRequest, usesImpersonation } from './request';

export function setupPlan(
  request: Pick<ServiceAccountRequest, 'details'>,
): readonly { name: StepName; title: string }[] {
  return [
    ...(createsAccount(request) ? planOf({ impersonation: usesImpersonation(request) }) : []),
    ...(appGrant(request) !== undefined ? APP_ACCESS_PLAN : []),
  ];
}
