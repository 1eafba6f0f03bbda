/**
 * After CiraSync's first sign-in, the requester or the approver presses Downgrade role. Story: the
 * press gate admitted the actor → only a `Ready` request → the lesser role granted, then every Global
 * Administrator assignment removed (safe to repeat) → when something changed: audited, the password
 * forgotten, the "ready" message redrawn and the other admin told.
 */
import { sameUser } from '../domain/authorization';
import type { ProgressView } from '../domain/progress';
import { downgradeAccount, specOf } from '../domain/provisionAccount';
import { userPrincipalName } from '../domain/provisioningSteps';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
import { ROLE_NAMES } from '../domain/wellKnown';
import { accountUserId } from './accountUser';
import { readyView } from './readyReport';
import type { Services } from './services';
import { literal } from '../domain/words';

export type DowngradeOutcome =
  /** This press lowered the role (`changed`), or found it lowered already. */
  { kind: 'downgraded'; changed: boolean; view: ProgressView } | { kind: 'refused'; message: string };

export type DowngradeServices = Pick<
  Services,
  | 'audit'
  | 'passwords'
  | 'provisioning'
  | 'notifier'
  | 'directory'
  | 'exchange'
  | 'patience'
  | 'now'
  | 'settings'
  | 'handOver'
>;

export async function downgradeRole(
  services: DowngradeServices,
  actor: Actor,
  request: ServiceAccountRequest,
  /** Set when the bot lowers the role on its own (`actor` is the bot): why, for the audit and both admins. */
  automatic?: { reason: string },
): Promise<DowngradeOutcome> {
  if (request.state !== 'Ready')
    return { kind: 'refused', message: 'The role can be lowered once the account is ready.' };
  const targetRoleId = services.settings.downgradeRoleId;
  const data = await services.provisioning.get(request);
  const result = await downgradeAccount({
    directory: services.directory,
    exchange: services.exchange,
    patience: services.patience,
    userId: await accountUserId(services, request, data),
    spec: specOf(request),
    targetRoleId,
  });
  const view = readyView(
    request,
    data,
    { kind: 'downgraded' },
    { downgradeRoleId: targetRoleId, keyVault: services.handOver !== undefined },
  );
  if (result.granted.outcome !== 'created' && result.removedGlobalAdministrator === 0) {
    // Already lowered (a second press, or by someone else): nothing changed, nothing to record.
    return { kind: 'downgraded', changed: false, view };
  }
  const role = ROLE_NAMES[targetRoleId] ?? targetRoleId;
  const now = services.now();
  await services.audit.append(
    auditRecord(
      request,
      actor,
      'downgraded',
      'Ready',
      now.toISOString(),
      `${automatic === undefined ? '' : `${automatic.reason}: `}${role} ${result.granted.outcome === 'created' ? 'granted' : 'already held'}; Global Administrator assignments removed: ${result.removedGlobalAdministrator}`,
    ),
  );
  await services.passwords.purge(request.tenantId, request.id, now);
  await services.notifier.updateReady(request, view);
  if (automatic !== undefined) {
    const text = `I lowered ${userPrincipalName(request.details)} to ${role} ${automatic.reason}; it is no longer a Global Administrator.`;
    await services.notifier.tell(request, 'requester', text);
    await services.notifier.tell(request, 'approver', text);
    return { kind: 'downgraded', changed: true, view };
  }
  const other = sameUser(actor.aadObjectId, request.requester.aadObjectId) ? 'approver' : 'requester';
  await services.notifier.tell(
    request,
    other,
    `${literal(actor.name)} lowered ${userPrincipalName(request.details)} to ${role}; it is no longer a Global Administrator.`,
  );
  return { kind: 'downgraded', changed: true, view };
}
