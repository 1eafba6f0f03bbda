/**
 * The "ready" report, in one place: what was done and the next steps in order, as the ready message
 * shows it after replication and again after Reset password and Downgrade role.
 */
import { progressViewOf, type ProgressView, type ProvisionData } from '../domain/progress';
import { userPrincipalName } from '../domain/provisioningSteps';
import { accountName, appGrant, appOnlyGrant, type ServiceAccountRequest } from '../domain/request';
import { utcMinutes } from '../domain/time';
import { type AppAccessSpec, describeScope } from '../domain/appAccess';
import { keyVaultPlaceOf } from '../domain/keyVaultPlace';
import { ROLE_NAMES } from '../domain/wellKnown';
import type { Services } from './services';
import { literal } from '../domain/words';

/** Where the password is, for the "ready" note. */
export type PasswordWhere =
  | { kind: 'reveal'; until: string }
  | { kind: 'keyVault'; vaultUrl: string; name: string; expiresOn: string }
  /** The Reveal window ended and the bot forgot the password, as planned. */
  | { kind: 'forgotten'; at: string }
  /** Lowered to the downgrade role: there is nothing more to hand over. */
  | { kind: 'downgraded' };

export function downgradeRoleName(roleId: string): string {
  return ROLE_NAMES[roleId] ?? 'the downgrade role';
}

/**
 * The "ready" note: what was done and the next steps, in order. Once the role was lowered
 * (`downgraded`, or `where` says so) it says what the account holds now, and where a password set
 * since then is.
 */
export function readyNote(
  request: ServiceAccountRequest,
  where: PasswordWhere,
  downgradeRoleId: string,
  downgraded = false,
): string {
  const upn = userPrincipalName(request.details);
  const role = downgradeRoleName(downgradeRoleId);
  if (where.kind === 'downgraded' || downgraded) {
    const lowered = `${upn} is now ${role} and no longer a Global Administrator.`;
    if (where.kind === 'reveal')
      return `${lowered}\n\nIts password: press **Reveal password** (until ${utcMinutes(where.until)}; after that the bot forgets it and **Reset password** makes a new one).`;
    if (where.kind === 'keyVault')
      return `${lowered}\n\nIts password is in Key Vault ${where.vaultUrl}, secret **${where.name}** (readable until ${utcMinutes(where.expiresOn)}).`;
    return lowered;
  }
  const password =
    where.kind === 'reveal'
      ? `1. Press **Reveal password** (until ${utcMinutes(where.until)}; after that the bot forgets it and **Reset password** makes a new one).`
      : where.kind === 'forgotten'
        ? `1. I forgot its password at ${utcMinutes(where.at)}, as planned, so it is no longer shown here. If it was not copied into CiraSync Enterprise setup, press **Reset password** to set a new one.`
        : `1. Read its password in Key Vault ${where.vaultUrl}, secret **${where.name}** (readable until ${utcMinutes(where.expiresOn)}; **Reset password** stores a new version there).`;
  const app = appGrant(request);
  const downgrade = `3. After that first sign-in, press **Downgrade role**: the account gets ${role} and loses Global Administrator.`;
  if (app !== undefined)
    return [
      `**${upn}** is ready: it is a Global Administrator and its password never expires. **${literal(app.displayName)}** (${app.appId}) now holds ${app.roles.join(', ')} in Exchange Online, over ${literal(describeScope(app.scope))}.`,
      password,
      `2. In CiraSync Enterprise setup, connect with its own app registration (${app.appId}) and sign in as ${upn} where it asks for the service account. Exchange applies new app permissions within 30 minutes to 2 hours: if CiraSync is refused at first, wait and try again.`,
      downgrade,
    ].join('\n\n');
  return [
    `**${upn}** is ready: it is a Global Administrator, its password never expires, and Exchange now lets it use ApplicationImpersonation.`,
    password,
    `2. Launch CiraSync Enterprise setup and sign in as ${upn}.`,
    downgrade,
  ].join('\n\n');
}

/** The progress report of a ready request, with its hand-over and buttons. */
export function readyView(
  request: ServiceAccountRequest,
  data: ProvisionData,
  where: PasswordWhere,
  options: {
    downgradeRoleId: string;
    problem?: string;
    /** Key Vault is configured: Rotate password (and Hand over, while the password is held) are offered. */
    keyVault?: boolean;
    /** The role was lowered earlier (the audit trail says so), whatever `where` the password is now. */
    downgraded?: boolean;
  },
): ProgressView {
  const downgraded = where.kind === 'downgraded' || options.downgraded === true;
  const disabled = request.accountDisabled !== undefined;
  const keyVault = options.keyVault === true;
  return {
    ...progressViewOf(request, data),
    ready: {
      note: (options.problem ?? '') + readyNote(request, where, options.downgradeRoleId, downgraded),
      canReveal: where.kind === 'reveal',
      // The account still signs in after a downgrade: its password can still be reset.
      canReset: true,
      canDowngrade: !downgraded,
      // The card's step list already shows what was done: no second list in other words.
      facts: [],
      // The owners' buttons stay after a downgrade: the account still exists and signs in.
      canOwners: true,
      canDisable: !disabled,
      canEnable: disabled,
      canRotate: keyVault,
      canHandOver: keyVault && where.kind === 'reveal',
    },
  };
}

/** Whether the account has been lowered from Global Administrator (the audit trail says so). */
export async function wasDowngraded(
  services: Pick<Services, 'audit'>,
  request: ServiceAccountRequest,
): Promise<boolean> {
  const trail = await services.audit.forRequest(request.tenantId, request.id);
  return trail.some((record) => record.event === 'downgraded');
}

/**
 * The ready card as it stands now, for a request handed over in chat (Reveal): its buttons, and where
 * the password is — still to reveal, forgotten, or nothing to hand over once the role was lowered.
 */
export async function currentReadyView(
  services: Pick<Services, 'audit' | 'provisioning' | 'settings' | 'handOver'>,
  request: ServiceAccountRequest,
  password: { kind: 'reveal'; until: string } | { kind: 'forgotten'; at: string },
): Promise<ProgressView> {
  const data = await services.provisioning.get(request);
  return readyView(request, data, password, {
    downgradeRoleId: services.settings.downgradeRoleId,
    keyVault: services.handOver !== undefined,
    downgraded: await wasDowngraded(services, request),
  });
}

/**
 * The ready card of a request as things stand now, for `status`: its buttons, and where the password
 * is — to reveal (inside the window), in Key Vault, forgotten, or nothing to hand over once lowered.
 */
export async function readyViewNow(
  services: Pick<Services, 'audit' | 'provisioning' | 'settings' | 'passwords' | 'now' | 'handOver'>,
  request: ServiceAccountRequest,
): Promise<ProgressView> {
  const data = await services.provisioning.get(request);
  const grant = appOnlyGrant(request);
  if (grant !== undefined) return appReadyView(request, data, grant);
  const trail = await services.audit.forRequest(request.tenantId, request.id);
  const state = await services.passwords.state(request.tenantId, request.id);
  const now = services.now();
  const handed = [...trail]
    .reverse()
    .find((r) => r.event === 'password handed over' || r.event === 'password rotated');
  const vault = keyVaultPlaceOf(handed?.detail);
  // A downgrade forgets the password: only one set after it (Reset, Rotate) is still to hand over.
  const loweredAt = trail.map((r) => r.event).lastIndexOf('downgraded');
  const lowered = loweredAt >= 0;
  const setSince = trail
    .slice(loweredAt + 1)
    .some((r) => r.event === 'password reset' || r.event === 'password rotated');
  let where: PasswordWhere;
  if (lowered && !setSince) where = { kind: 'downgraded' };
  else if (
    state.kind === 'held' &&
    state.revealUntil !== undefined &&
    Date.parse(state.revealUntil) > now.getTime()
  )
    where = { kind: 'reveal', until: state.revealUntil };
  else if (vault !== undefined)
    where = { kind: 'keyVault', vaultUrl: vault.vaultUrl, name: vault.name, expiresOn: vault.expiresOn };
  else where = { kind: 'forgotten', at: state.kind === 'purged' ? state.at : now.toISOString() };
  return readyView(request, data, where, {
    downgradeRoleId: services.settings.downgradeRoleId,
    keyVault: services.handOver !== undefined,
    downgraded: lowered,
  });
}

/** The approver's note when the account is ready. */
export function readyApproverText(request: ServiceAccountRequest): string {
  const app = appGrant(request);
  const what =
    app === undefined
      ? `${accountName(request)}, which you approved for ${literal(request.requester.name)}, is ready.`
      : `${accountName(request)} and ${literal(app.displayName)}'s ${app.roles.join(', ')} over ${literal(describeScope(app.scope))}, which you approved for ${literal(request.requester.name)}, are ready.`;
  return (
    `${what} ` +
    `${literal(request.requester.name)} has the next steps; after CiraSync's first sign-in either of you can press Downgrade role.`
  );
}

/** The approver's note when the requester could not be reached: the next steps, for them to pass on. */
export function readyForwardText(request: ServiceAccountRequest): string {
  const account = accountName(request);
  return `${account} is ready, but I could not reach ${literal(request.requester.name)} to tell them. Please let them know: launch CiraSync Enterprise setup, sign in as ${account} (its password can be reset in the Microsoft 365 admin center), then lower its role from Global Administrator.`;
}

/** The "ready" report of an app-only grant: what the app now holds, over which mailboxes. */
export function appReadyView(
  request: ServiceAccountRequest,
  data: ProvisionData,
  grant: AppAccessSpec,
): ProgressView {
  return {
    ...progressViewOf(request, data),
    ready: {
      note: [
        `**${literal(grant.displayName)}** (${grant.appId}) now holds ${grant.roles.join(', ')} in Exchange Online, over ${literal(describeScope(grant.scope))}. No user and no Global Administrator were created.`,
        '1. Exchange applies new app permissions within 30 minutes to 2 hours: if CiraSync Enterprise is refused at first, wait and try again.',
        `2. In CiraSync Enterprise setup, choose to connect with its own app registration (${grant.appId}).`,
      ].join('\n\n'),
      canReveal: false,
      canReset: false,
      canDowngrade: false,
      facts: [],
    },
  };
}

/** The approver's note when an app-only grant is in place. */
export function appReadyApproverText(request: ServiceAccountRequest, grant: AppAccessSpec): string {
  return `${literal(grant.displayName)} now holds ${grant.roles.join(', ')} over ${literal(describeScope(grant.scope))}, as you approved for ${literal(request.requester.name)}. No account was created.`;
}
