/**
 * An owner disables the service account (it can no longer sign in; no other account is touched), or
 * enables it again; each asks once more first. Story: the press gate admitted an owner → only a
 * `Ready` request that made an account, the actor still an owner → the change → audited → the other
 * owners told → the ready card redrawn.
 *
 * The order keeps one promise: when the card says "Disabled", Entra has the account disabled.
 * - Disable writes Entra first (`accountEnabled: false`), then sets the mark by compare-and-set. A
 *   crash between leaves the account disabled without the mark, and pressing Disable again finishes
 *   (writing `false` again changes nothing). Only the press that set the mark audits.
 * - Enable clears the mark first by compare-and-set, then writes Entra (`accountEnabled: true`). A
 *   crash between leaves the account disabled without the mark: the safe side. When Entra refuses,
 *   the mark is put back, so the card still offers Enable.
 */
import { isAppError } from '../domain/errors';
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
import type { Services } from './services';
import { literal } from '../domain/words';

export type SwitchOutcome =
  /** `changed`: this press disabled or enabled it; otherwise it already was. */
  { kind: 'switched'; changed: boolean; view: ProgressView } | { kind: 'refused'; message: string };

export type SwitchServices = Pick<
  Services,
  | 'requests'
  | 'audit'
  | 'notifier'
  | 'directory'
  | 'provisioning'
  | 'passwords'
  | 'handOver'
  | 'settings'
  | 'now'
>;

function refusal(actor: Actor, request: ServiceAccountRequest): string | undefined {
  if (request.state !== 'Ready' || !createsAccount(request))
    return 'The account can be disabled or enabled once it is ready.';
  if (!isOwner(request, actor.aadObjectId)) return ownerOnlyMessage(request);
  return undefined;
}

/** The ready card asking once more before Disable or Enable goes ahead. */
export async function confirmSwitch(
  services: SwitchServices,
  actor: Actor,
  request: ServiceAccountRequest,
  to: 'disable' | 'enable',
): Promise<SwitchOutcome> {
  const refused = refusal(actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const view = await readyViewNow(services, request);
  const disabled = request.accountDisabled !== undefined;
  if ((to === 'disable') === disabled) return { kind: 'switched', changed: false, view };
  const upn = userPrincipalName(request.details);
  const note =
    to === 'disable'
      ? `Disabling ${upn} stops it signing in, so CiraSync stops syncing with it until an owner enables it again. No other account is affected. Press **Yes, disable it** to go ahead.`
      : `Enabling ${upn} lets it sign in again, with the roles it holds. Press **Yes, enable it** to go ahead.`;
  return {
    kind: 'switched',
    changed: false,
    view: view.ready === undefined ? view : { ...view, ready: { ...view.ready, note, confirming: to } },
  };
}

/** Disables the account (confirmed). */
export async function disableAccount(
  services: SwitchServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<SwitchOutcome> {
  const refused = refusal(actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const userId = await accountUserId(services, request, await services.provisioning.get(request));
  // Entra first: whatever happens next, the account can no longer sign in.
  await services.directory.updateUser(userId, { accountEnabled: false });
  if (request.accountDisabled !== undefined)
    return { kind: 'switched', changed: false, view: await readyViewNow(services, request) };
  const at = services.now().toISOString();
  const marked = await services.requests.amend(
    request.tenantId,
    request.id,
    { version: request.version, states: ['Ready'] },
    { accountDisabled: { by: actor, at } },
    at,
  );
  if (marked === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    return { kind: 'switched', changed: false, view: await readyViewNow(services, current) };
  }
  const upn = userPrincipalName(request.details);
  await services.audit.append(auditRecord(marked, actor, 'account disabled', 'Ready', at, upn));
  await tellOtherOwners(
    services,
    marked,
    actor,
    `${literal(actor.name)} disabled ${upn} at ${utcMinutes(at)}: it cannot sign in until an owner enables it again.`,
  );
  const view = await readyViewNow(services, marked);
  await services.notifier.updateReady(marked, view);
  return { kind: 'switched', changed: true, view };
}

/** Enables the account again (confirmed). */
export async function enableAccount(
  services: SwitchServices,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<SwitchOutcome> {
  const refused = refusal(actor, request);
  if (refused !== undefined) return { kind: 'refused', message: refused };
  const mark = request.accountDisabled;
  // No mark: nothing this bot disabled; an account disabled in the admin center is enabled there.
  if (mark === undefined)
    return { kind: 'switched', changed: false, view: await readyViewNow(services, request) };
  const userId = await accountUserId(services, request, await services.provisioning.get(request));
  const at = services.now().toISOString();
  const cleared = await services.requests.amend(
    request.tenantId,
    request.id,
    { version: request.version, states: ['Ready'] },
    { accountDisabled: null },
    at,
  );
  if (cleared === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    return { kind: 'switched', changed: false, view: await readyViewNow(services, current) };
  }
  try {
    await services.directory.updateUser(userId, { accountEnabled: true });
  } catch (error) {
    if (isAppError(error))
      // Entra kept it disabled: the mark goes back, so the card says so and offers Enable again.
      await services.requests.amend(
        request.tenantId,
        request.id,
        { version: cleared.version, states: ['Ready'] },
        { accountDisabled: mark },
        services.now().toISOString(),
      );
    throw error;
  }
  const upn = userPrincipalName(request.details);
  await services.audit.append(auditRecord(cleared, actor, 'account enabled', 'Ready', at, upn));
  await tellOtherOwners(
    services,
    cleared,
    actor,
    `${literal(actor.name)} enabled ${upn} again: it can sign in.`,
  );
  const view = await readyViewNow(services, cleared);
  await services.notifier.updateReady(cleared, view);
  return { kind: 'switched', changed: true, view };
}
