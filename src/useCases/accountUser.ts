/** The Entra user a ready request made: from its provisioning record, else found by its creation marker. */
import type { ProvisionData } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import type { ServiceAccountRequest } from '../domain/request';
import { creationMarker } from '../domain/wellKnown';
import type { Services } from './services';

export async function accountUserId(
  services: Pick<Services, 'directory'>,
  request: ServiceAccountRequest,
  data: ProvisionData,
): Promise<string> {
  const known = data.progress?.userId;
  if (known !== undefined) return known;
  const user = await services.directory.findUser(userPrincipalName(request.details));
  if (user === undefined || user.employeeType !== creationMarker(request.id))
    throw new Error(`The account of request ${request.id} is not in the directory`);
  return user.id;
}
