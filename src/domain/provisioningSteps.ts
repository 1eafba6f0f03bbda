/**
 * The provisioning steps. Each is check-then-act: it looks first, acts only when something is
 * missing, and returns what exists — so a retry, a crash or a duplicate run never creates twice.
 */
import { AppError, isAppError } from './errors';
import { eventually, type Patience } from './patience';
import type { Directory, Exchange } from './ports';
import type { ContactDetails, DirectoryUser } from './tenant';
import {
  creationMarker,
  IMPERSONATION_ROLE,
  IMPERSONATION_ROLE_GROUP,
  PUBLIC_FOLDER_ROOT,
  ROLE,
  ROLE_NAMES,
} from './wellKnown';
import { literal } from './words';

/** The account an approved request asks for. */
export interface ServiceAccountSpec {
  requestId: string;
  displayName: string;
  /** The part of the UPN before the @; also the mail nickname. */
  username: string;
  domain: string;
  usageLocation?: string;
  contact: ContactDetails;
  /** Present when public folders are synced: the mailbox licence to assign. */
  publicFolders?: { skuId: string };
  /**
   * False when the sync product's app is granted Exchange roles instead: the account is not put in
   * the "App Impersonation" role group. Unset means true.
   */
  impersonation?: boolean;
}

export type StepName =
  | 'user'
  | 'globalAdministrator'
  | 'licence'
  | 'exchangeRecipient'
  | 'publicFolderReviewer'
  | 'impersonationRoleGroup'
  | 'downgradeRole'
  | 'exchangeServicePrincipal'
  | 'managementScope'
  | 'applicationRoles';

export interface StepResult {
  step: StepName;
  outcome: 'created' | 'existing' | 'skipped';
  /** What was found or done, for the progress card and the audit. */
  detail: string;
}

export interface StepContext {
  spec: ServiceAccountSpec;
  directory: Directory;
  exchange: Exchange;
  patience: Patience;
  /** The password to set if the user has to be created (generated and stored by the caller first). */
  password: string;
  /** Known after the user step. */
  userId?: string;
}

export function userPrincipalName(spec: Pick<ServiceAccountSpec, 'username' | 'domain'>): string {
  return `${spec.username}@${spec.domain}`.toLowerCase();
}

/** Exchange names a member by alias, UPN or object id; never by display name, which is not unique. */
function sameIdentity(identity: string, user: { id?: string; upn: string; username: string }): boolean {
  const value = identity.trim().toLowerCase();
  return [user.id, user.upn, user.username]
    .filter((v): v is string => v !== undefined)
    .some((v) => v.toLowerCase() === value);
}

function identityOf(ctx: StepContext): { id?: string; upn: string; username: string } {
  return { id: ctx.userId, upn: userPrincipalName(ctx.spec), username: ctx.spec.username.toLowerCase() };
}

function requireUserId(ctx: StepContext): string {
  if (ctx.userId === undefined) throw new AppError('Unexpected', 'The account has not been created yet.');
  return ctx.userId;
}

async function adopt(ctx: StepContext, existing: DirectoryUser): Promise<DirectoryUser> {
  const upn = userPrincipalName(ctx.spec);
  if (existing.employeeType !== creationMarker(ctx.spec.requestId)) {
    throw new AppError(
      'UpnTaken',
      `The name ${upn} is already taken by "${literal(existing.displayName)}" (object id ${existing.id}), which this request did not create. Choose another username, or remove that account first.`,
    );
  }
  const mfa = await ctx.directory.perUserMfaState(existing.id);
  if (mfa !== 'disabled') {
    throw new AppError(
      'Blocked',
      `Per-user MFA is ${mfa} for ${upn}. In the Microsoft Entra admin center open Users → Per-user MFA, select the account and disable MFA, then retry.`,
    );
  }
  return existing;
}

export async function ensureUser(ctx: StepContext): Promise<StepResult> {
  const { spec, directory } = ctx;
  const upn = userPrincipalName(spec);
  const found = await directory.findUser(upn);
  if (found !== undefined) {
    const user = await adopt(ctx, found);
    ctx.userId = user.id;
    if (!(user.passwordPolicies ?? '').includes('DisablePasswordExpiration')) {
      await directory.updateUser(user.id, { passwordPolicies: 'DisablePasswordExpiration' });
      return { step: 'user', outcome: 'existing', detail: `${upn} existed; its password now never expires` };
    }
    return { step: 'user', outcome: 'existing', detail: `${upn} already exists, created for this request` };
  }
  try {
    const created = await directory.createUser({
      displayName: spec.displayName,
      mailNickname: spec.username,
      userPrincipalName: upn,
      password: ctx.password,
      usageLocation: spec.usageLocation,
      employeeType: creationMarker(spec.requestId),
      contact: spec.contact,
    });
    ctx.userId = created.id;
    return { step: 'user', outcome: 'created', detail: `Created ${upn}; its password never expires` };
  } catch (error) {
    // A create that timed out may still have happened: a conflict then is our own user, late.
    if (!isAppError(error, 'Conflict')) throw error;
    const user = await adopt(
      ctx,
      await eventually(ctx.patience, `the account ${upn}`, () => directory.findUser(upn)),
    );
    ctx.userId = user.id;
    return { step: 'user', outcome: 'existing', detail: `${upn} already exists, created for this request` };
  }
}

export async function ensureRole(
  ctx: StepContext,
  roleDefinitionId: string,
  step: StepName,
): Promise<StepResult> {
  const principalId = requireUserId(ctx);
  const name = ROLE_NAMES[roleDefinitionId] ?? roleDefinitionId;
  const held = () => ctx.directory.listRoleAssignments({ principalId, roleDefinitionId });
  if ((await held()).length > 0) return { step, outcome: 'existing', detail: `Already ${name}` };
  try {
    await eventually(ctx.patience, `the account in the directory`, () =>
      ctx.directory.createRoleAssignment(principalId, roleDefinitionId),
    );
    return { step, outcome: 'created', detail: `Assigned ${name}` };
  } catch (error) {
    if (isAppError(error, 'Conflict') && (await held()).length > 0) {
      return { step, outcome: 'existing', detail: `Already ${name}` };
    }
    throw error;
  }
}

export function ensureGlobalAdministrator(ctx: StepContext): Promise<StepResult> {
  return ensureRole(ctx, ROLE.globalAdministrator, 'globalAdministrator');
}

export async function ensureLicence(ctx: StepContext): Promise<StepResult> {
  const skuId = ctx.spec.publicFolders?.skuId;
  if (skuId === undefined)
    return { step: 'licence', outcome: 'skipped', detail: 'No licence needed without public folders' };
  const userId = requireUserId(ctx);
  const user = await eventually(ctx.patience, 'the account in the directory', () =>
    ctx.directory.findUser(userId),
  );
  if (user.assignedLicenses.some((l) => l.skuId === skuId)) {
    return { step: 'licence', outcome: 'existing', detail: 'The mailbox licence is already assigned' };
  }
  await eventually(ctx.patience, 'the account in the directory', () =>
    ctx.directory.assignLicense(userId, skuId).then(() => true),
  );
  return { step: 'licence', outcome: 'created', detail: 'Assigned the mailbox licence' };
}

export async function ensureExchangeRecipient(ctx: StepContext): Promise<StepResult> {
  const upn = userPrincipalName(ctx.spec);
  if (ctx.spec.publicFolders !== undefined) {
    await eventually(ctx.patience, `a mailbox for ${upn} in Exchange Online`, () =>
      ctx.exchange.mailboxExists(upn),
    );
    return { step: 'exchangeRecipient', outcome: 'existing', detail: 'Exchange Online has the mailbox' };
  }
  await eventually(ctx.patience, `${upn} in Exchange Online`, () => ctx.exchange.recipientExists(upn));
  return { step: 'exchangeRecipient', outcome: 'existing', detail: 'Exchange Online knows the account' };
}

export async function ensurePublicFolderReviewer(ctx: StepContext): Promise<StepResult> {
  if (ctx.spec.publicFolders === undefined) {
    return { step: 'publicFolderReviewer', outcome: 'skipped', detail: 'Public folders are not synced' };
  }
  const upn = userPrincipalName(ctx.spec);
  const hasReviewer = async () =>
    ((await ctx.exchange.publicFolderAccess(PUBLIC_FOLDER_ROOT, upn)) ?? []).some(
      (r) => r.toLowerCase() === 'reviewer',
    );
  if (await hasReviewer())
    return {
      step: 'publicFolderReviewer',
      outcome: 'existing',
      detail: 'Already Reviewer on the public folders',
    };
  try {
    await eventually(ctx.patience, `${upn} in Exchange Online`, () =>
      ctx.exchange.addPublicFolderPermission(PUBLIC_FOLDER_ROOT, upn, 'Reviewer').then(() => true),
    );
  } catch (error) {
    if (!(isAppError(error, 'Conflict') && (await hasReviewer()))) throw error;
    return {
      step: 'publicFolderReviewer',
      outcome: 'existing',
      detail: 'Already Reviewer on the public folders',
    };
  }
  return { step: 'publicFolderReviewer', outcome: 'created', detail: 'Made Reviewer on the public folders' };
}

export async function ensureImpersonationRoleGroup(ctx: StepContext): Promise<StepResult> {
  const upn = userPrincipalName(ctx.spec);
  const me = identityOf(ctx);
  const step: StepName = 'impersonationRoleGroup';
  const isMember = (members: string[]) => members.some((m) => sameIdentity(m, me));
  const group = await ctx.exchange.getRoleGroup(IMPERSONATION_ROLE_GROUP);
  if (group === undefined) {
    try {
      await eventually(ctx.patience, `${upn} in Exchange Online`, () =>
        ctx.exchange.newRoleGroup(IMPERSONATION_ROLE_GROUP, [IMPERSONATION_ROLE], [upn]),
      );
      return {
        step,
        outcome: 'created',
        detail: `Created the "${IMPERSONATION_ROLE_GROUP}" role group with the account in it`,
      };
    } catch (error) {
      if (!isAppError(error, 'Conflict')) throw error;
      // Created meanwhile (or by our own timed-out call): fall through to membership.
    }
  }
  const current = group ?? (await ctx.exchange.getRoleGroup(IMPERSONATION_ROLE_GROUP));
  if (current !== undefined && isMember(current.members)) {
    return { step, outcome: 'existing', detail: `Already in the "${IMPERSONATION_ROLE_GROUP}" role group` };
  }
  try {
    await eventually(ctx.patience, `${upn} in Exchange Online`, () =>
      ctx.exchange.addRoleGroupMember(IMPERSONATION_ROLE_GROUP, upn).then(() => true),
    );
  } catch (error) {
    if (!isAppError(error, 'Conflict')) throw error;
    return { step, outcome: 'existing', detail: `Already in the "${IMPERSONATION_ROLE_GROUP}" role group` };
  }
  return {
    step,
    outcome: 'created',
    detail: `Added the account to the "${IMPERSONATION_ROLE_GROUP}" role group`,
  };
}
