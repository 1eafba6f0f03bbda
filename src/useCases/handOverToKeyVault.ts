/**
 * An owner presses Hand over to Key Vault while the bot still holds the account's password (inside
 * the Reveal window): the password moves to Key Vault and the bot forgets it. Story: the press gate
 * admitted an owner → only a `Ready` request that made an account, the actor still an owner, Key
 * Vault configured → the password's reset lease taken, so a reset cannot replace it meanwhile → stored
 * in Key Vault and forgotten here, audited 'password handed over' (never the password) → the other
 * owners told where it is.
 */
import type { ProgressView } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import { utcMinutes } from '../domain/time';
import { storeInKeyVault } from './handOverPassword';
import { readyViewNow } from './readyReport';
import { tellOtherOwners } from './ownerNotes';
import { underPasswordLease } from './passwordLease';
import { keyVaultRefusal, NO_KEY_VAULT, PASSWORD_BUSY, type RotateServices } from './rotatePassword';
import { literal } from '../domain/words';

export type HandOverOutcome =
  { kind: 'handedOver'; view: ProgressView } | { kind: 'refused'; message: string };

export async function handOverToKeyVault(
  services: Omit<RotateServices, 'newPassword' | 'directory'>,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<HandOverOutcome> {
  const refused = keyVaultRefusal(services, actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const handOver = services.handOver;
  if (handOver === undefined) return { kind: 'refused', message: NO_KEY_VAULT };
  const outcome = await underPasswordLease(services, request, async (): Promise<HandOverOutcome> => {
    const state = await services.passwords.state(request.tenantId, request.id);
    if (state.kind !== 'held')
      return {
        kind: 'refused',
        message:
          'I no longer hold the password, so there is nothing to hand over. Press **Rotate password** to put a new one in Key Vault.',
      };
    const handed = await storeInKeyVault({ ...services, handOver }, request, actor);
    if (!handed.ok)
      return {
        kind: 'refused',
        message: `I could not put the password in Key Vault (${handed.reason}), so I still hold it here.`,
      };
    await tellOtherOwners(
      services,
      request,
      actor,
      `${literal(actor.name)} handed the password of ${userPrincipalName(request.details)} over to Key Vault ${handOver.vaultUrl}, secret ${handed.name} (readable until ${utcMinutes(handed.expiresOn)}); the bot no longer holds it.`,
    );
    const view = await readyViewNow(services, request);
    await services.notifier.updateReady(request, view);
    return { kind: 'handedOver', view };
  });
  return outcome === 'busy' ? { kind: 'refused', message: PASSWORD_BUSY } : outcome;
}
