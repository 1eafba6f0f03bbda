/**
 * The requester presses Reveal password. Story: the press gate admitted only the requester → only a
 * `Ready` request → only inside the Reveal window → the password read → audited → the ready card
 * redrawn with the password in it and its buttons kept. The password goes back only in this answer,
 * to the presser alone; it is never posted to a chat, and the purge at the window's end redraws the
 * card without it.
 */
import { userPrincipalName } from '../domain/provisioningSteps';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
import type { ProgressView } from '../domain/progress';
import { utcMinutes } from '../domain/time';
import { currentReadyView } from './readyReport';
import type { Services } from './services';

export type RevealOutcome =
  /** `view`: the ready card with the password shown in it, its buttons kept. */
  | { kind: 'revealed'; account: string; password: string; forgetAt: string; view: ProgressView }
  | { kind: 'refused'; message: string };

export async function revealPassword(
  services: Pick<Services, 'passwords' | 'audit' | 'now' | 'provisioning' | 'settings'>,
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
      const account = userPrincipalName(request.details);
      const forgetAt = utcMinutes(state.revealUntil);
      const view = await currentReadyView(services, request, { kind: 'reveal', until: state.revealUntil });
      const ready = view.ready ?? {
        note: '',
        canReveal: false,
        canReset: true,
        canDowngrade: false,
        facts: [],
      };
      return {
        kind: 'revealed',
        account,
        password,
        forgetAt,
        view: {
          ...view,
          ready: {
            ...ready,
            facts: [{ title: 'Password', value: password }, ...ready.facts],
            note: `**Password of ${account}**, below: shown to you alone and not kept in this chat. Copy it into CiraSync Enterprise setup now; at ${forgetAt} I forget it and this card stops showing it.\n\n${ready.note}`,
          },
        },
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
