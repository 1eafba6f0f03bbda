/**
 * The requester presses Reveal password. Story: the press gate admitted only the requester → only a
 * `Ready` request → only inside the Reveal window → the password read → audited. The password goes
 * back only in this answer, to the presser alone; it is never posted to a chat.
 */
import { userPrincipalName } from '../domain/provisioningSteps';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
import { utcMinutes } from '../domain/time';
import type { Services } from './services';

export type RevealOutcome =
  | { kind: 'revealed'; account: string; password: string; forgetAt: string }
  | { kind: 'refused'; message: string };

export async function revealPassword(
  services: Pick<Services, 'passwords' | 'audit' | 'now'>,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RevealOutcome> {
  if (request.state !== 'Ready')
    return { kind: 'refused', message: 'The password is handed over once the account is ready.' };
  const state = await services.passwords.state(request.tenantId, request.id);
  const now = services.now();
  if (
    state.kind === 'held' &&
    state.revealUntil !== undefined &&
    Date.parse(state.revealUntil) > now.getTime()
  ) {
    const password = await services.passwords.reveal(request.tenantId, request.id);
    if (password !== undefined) {
      await services.audit.append(
        auditRecord(request, actor, 'password revealed', 'Ready', now.toISOString()),
      );
      return {
        kind: 'revealed',
        account: userPrincipalName(request.details),
        password,
        forgetAt: utcMinutes(state.revealUntil),
      };
    }
  }
  return {
    kind: 'refused',
    message:
      state.kind === 'purged'
        ? `I forgot the password at ${utcMinutes(state.at)}, as planned. Press **Reset password** to set a new one.`
        : 'The time to reveal the password has passed. Press **Reset password** to set a new one.',
  };
}
