/**
 * An owner presses Rotate password: the account gets a new password that nobody sees. Story: the press
 * gate admitted an owner → only a `Ready` request that made an account, the actor still an owner →
 * refused without Key Vault (the new password would have to be shown in chat) → the password's reset
 * lease taken, so a rotation and a reset cannot cross → the new password stored in Key Vault as a new
 * version of the account's secret, then set in Entra → any password the bot still held forgotten →
 * audited with where it is (never the password) → the other owners told where to read it.
 *
 * Key Vault comes first: if Entra then refuses, the account keeps its old password (CiraSync goes on
 * signing in) and a second press makes a newer version; the other order could leave a password set
 * in Entra that nobody can read.
 */
import { isAppError } from '../domain/errors';
import { keyVaultDetail } from '../domain/keyVaultPlace';
import { ownerOnlyMessage } from '../domain/pressRules';
import type { ProgressView } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import {
  type Actor,
  auditRecord,
  createsAccount,
  isOwner,
  type ServiceAccountRequest,
} from '../domain/request';
import { utcMinutes } from '../domain/time';
import { accountUserId } from './accountUser';
import { readyViewNow } from './readyReport';
import { tellOtherOwners } from './ownerNotes';
import { underPasswordLease } from './passwordLease';
import type { Services } from './services';
import { literal } from '../domain/words';

export type RotateOutcome = { kind: 'rotated'; view: ProgressView } | { kind: 'refused'; message: string };

export type RotateServices = Pick<
  Services,
  | 'passwords'
  | 'audit'
  | 'notifier'
  | 'provisioning'
  | 'directory'
  | 'handOver'
  | 'newPassword'
  | 'now'
  | 'settings'
>;

export const NO_KEY_VAULT =
  'Rotate password needs Azure Key Vault, so that the new password is never shown in chat, and this bot has none set up. Ask whoever runs the bot to set KEY_VAULT_URL, or change the password in the Microsoft 365 admin center.';

/** Why this actor may not touch the password this way now; undefined when they may. */
export function keyVaultRefusal(
  services: Pick<Services, 'handOver'>,
  actor: Actor,
  request: ServiceAccountRequest,
): string | undefined {
  if (request.state !== 'Ready' || !createsAccount(request))
    return 'The password can be changed once the account is ready.';
  if (!isOwner(request, actor.aadObjectId)) return ownerOnlyMessage(request);
  if (services.handOver === undefined) return NO_KEY_VAULT;
  return undefined;
}

/** What a press hears while another change of the password holds the lease. */
export const PASSWORD_BUSY =
  'The password of this account is being changed already. Wait a moment and look at the card again.';

export async function rotatePassword(
  services: RotateServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RotateOutcome> {
  const refused = keyVaultRefusal(services, actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const outcome = await underPasswordLease(services, request, () => rotateHeld(services, actor, request));
  return outcome === 'busy' ? { kind: 'refused', message: PASSWORD_BUSY } : outcome;
}

async function rotateHeld(
  services: RotateServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RotateOutcome> {
  const handOver = services.handOver;
  if (handOver === undefined) return { kind: 'refused', message: NO_KEY_VAULT };
  const now = services.now();
  const upn = userPrincipalName(request.details);
  const userId = await accountUserId(services, request, await services.provisioning.get(request));
  const password = services.newPassword();
  const expiresOn = new Date(now.getTime() + handOver.secretExpiryMs);
  const name = handOver.secretName(upn, request.id);
  const stored = await handOver.store({ name, value: password, requestId: request.id, expiresOn });
  try {
    await services.directory.updateUser(userId, { password });
  } catch (error) {
    if (!isAppError(error)) throw error;
    return {
      kind: 'refused',
      message: `Microsoft 365 did not take the new password (${error.userMessage}), so ${upn} keeps the one it had. The newest version of secret ${stored.name} in Key Vault is not its password: press **Rotate password** again.`,
    };
  }
  await services.passwords.purge(request.tenantId, request.id, now);
  const place = {
    vaultUrl: handOver.vaultUrl,
    name: stored.name,
    version: stored.version,
    expiresOn: expiresOn.toISOString(),
  };
  await services.audit.append(
    auditRecord(request, actor, 'password rotated', 'Ready', now.toISOString(), keyVaultDetail(place)),
  );
  await tellOtherOwners(
    services,
    request,
    actor,
    `${literal(actor.name)} gave ${upn} a new password. It is in Key Vault ${place.vaultUrl}, secret ${place.name} (readable until ${utcMinutes(place.expiresOn)}); CiraSync Enterprise needs it before it signs in again.`,
  );
  const view = await readyViewNow(services, request);
  await services.notifier.updateReady(request, view);
  return { kind: 'rotated', view };
}
