/**
 * The requester presses Reset password. Story: the press gate admitted only the requester → only a
 * `Ready` request → the password's reset lease taken (compare-and-set), so two resets at once cannot
 * leave Entra with one password and the hand-over with the other → a new password set in Entra → put
 * in Key Vault when configured, else sealed here with a new Reveal window and its purge → audited.
 */
import type { ProgressView } from '../domain/progress';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
import { accountUserId } from './accountUser';
import { storeInKeyVault } from './handOverPassword';
import { underPasswordLease } from './passwordLease';
import { readyView, type PasswordWhere, wasDowngraded } from './readyReport';
import type { Services } from './services';

export type ResetOutcome =
  /** The new password is set; `keyVaultRefused` says why Key Vault did not take it (it is here instead). */
  { kind: 'reset'; view: ProgressView; keyVaultRefused?: string } | { kind: 'refused'; message: string };

type ResetServices = Pick<
  Services,
  | 'passwords'
  | 'audit'
  | 'scheduler'
  | 'provisioning'
  | 'directory'
  | 'handOver'
  | 'newPassword'
  | 'now'
  | 'settings'
>;

export async function resetPassword(
  services: ResetServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<ResetOutcome> {
  if (request.state !== 'Ready')
    return { kind: 'refused', message: 'The password can be reset once the account is ready.' };
  const outcome = await underPasswordLease(services, request, () => resetHeld(services, actor, request));
  if (outcome !== 'busy') return outcome;
  return {
    kind: 'refused',
    message:
      'A password reset for this account is already under way. Wait a moment: the card shows the new password’s hand-over when it is done.',
  };
}

/** The reset itself, while this press holds the lease. */
async function resetHeld(
  services: ResetServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<ResetOutcome> {
  const now = services.now();
  const password = services.newPassword();
  const data = await services.provisioning.get(request);
  await services.directory.updateUser(await accountUserId(services, request, data), { password });
  const handOver = services.handOver;
  // After a downgrade the account holds the lesser role still: the card says so, not "Global Administrator".
  const downgraded = await wasDowngraded(services, request);
  const viewOf = (where: PasswordWhere) =>
    readyView(request, data, where, {
      downgradeRoleId: services.settings.downgradeRoleId,
      keyVault: handOver !== undefined,
      downgraded,
    });
  let keyVaultRefused: string | undefined;
  if (handOver !== undefined) {
    const handed = await storeInKeyVault({ ...services, handOver }, request, actor, password);
    if (handed.ok) {
      await services.audit.append(
        auditRecord(request, actor, 'password reset', 'Ready', now.toISOString(), 'new version in Key Vault'),
      );
      return { kind: 'reset', view: viewOf({ kind: 'keyVault', vaultUrl: handOver.vaultUrl, ...handed }) };
    }
    keyVaultRefused = handed.reason;
  }
  const until = new Date(now.getTime() + services.settings.passwordRevealMs);
  await services.passwords.replace(request.tenantId, request.id, password, now, until);
  await services.audit.append(auditRecord(request, actor, 'password reset', 'Ready', now.toISOString()));
  await services.scheduler.passwordPurge(request, until, now);
  return {
    kind: 'reset',
    view: viewOf({ kind: 'reveal', until: until.toISOString() }),
    ...(keyVaultRefused === undefined ? {} : { keyVaultRefused }),
  };
}
