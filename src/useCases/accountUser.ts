/**
 * The Entra user a ready request made: from its provisioning record, else found by its creation
 * marker. Ready means Microsoft 365 has long known the account, so "not found" here is not Entra
 * catching up: someone deleted it, and the press that needs it says so at once instead of waiting.
 */
import { AppError } from '../domain/errors';
import type { ProvisionData } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import type { ServiceAccountRequest } from '../domain/request';
import { creationMarker } from '../domain/wellKnown';
import type { Services } from './services';

/** What the admin reads when the account is no longer there, and what they can do. */
export function accountGoneMessage(request: ServiceAccountRequest): string {
  const upn = userPrincipalName(request.details);
  return `${upn} is no longer in your directory: someone deleted it. A deleted user can be restored for 30 days in the Microsoft 365 admin center (Users › Deleted users); restore it and press the button again, or send **new** to set up a new service account.`;
}

export async function accountUserId(
  services: Pick<Services, 'directory'>,
  request: ServiceAccountRequest,
  data: ProvisionData,
): Promise<string> {
  const known = data.progress?.userId;
  const user = await services.directory.findUser(known ?? userPrincipalName(request.details));
  if (user === undefined || (known === undefined && user.employeeType !== creationMarker(request.id)))
    throw new AppError('Gone', accountGoneMessage(request));
  return user.id;
}
