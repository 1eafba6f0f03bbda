/**
 * Questions the request form asks of the directory before anything is submitted: is the user name
 * free, and may the person the requester named approve. The requester is always the Teams user of
 * the activity; nothing here trusts card data.
 */
import { type AccessChecks, ADMIN_ROLE_NAMES, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import type { Directory } from '../domain/ports';
import type { Actor, Approver } from '../domain/request';
import type { DirectoryUser } from '../domain/tenant';
import { literal } from '../domain/words';

export interface UsernameCheck {
  available: boolean;
  /** Who holds the name, when it is taken. */
  holder?: string;
  suggestions: string[];
}

/** Is `username@domain` free? When it is not, up to three free variants are offered. */
export async function checkUsername(
  directory: Directory,
  username: string,
  domain: string,
  variants: (base: string) => string[],
): Promise<UsernameCheck> {
  const taken = await directory.findUser(`${username}@${domain}`);
  if (taken === undefined) return { available: true, suggestions: [] };
  const suggestions: string[] = [];
  for (const candidate of variants(username)) {
    if (suggestions.length === 3) break;
    if ((await directory.findUser(`${candidate}@${domain}`)) === undefined) suggestions.push(candidate);
  }
  return { available: false, holder: taken.displayName, suggestions };
}

export type ApproverResolution = { approver: Approver } | { error: string };

/** The approver the requester named (people picker object id, or a typed UPN, email or user name), checked. */
export async function resolveApprover(
  directory: Directory,
  checks: AccessChecks,
  requester: Actor,
  chosen: { objectId?: string; typed?: string },
): Promise<ApproverResolution> {
  let user: DirectoryUser | undefined;
  const typed = chosen.typed?.trim();
  try {
    if (chosen.objectId !== undefined && chosen.objectId !== '')
      user = await directory.findUser(chosen.objectId);
    else if (typed !== undefined && typed !== '') user = await directory.findUserBySignInName(typed);
    else return { error: 'Pick the approver, or type their email address or user name.' };
  } catch (error) {
    if (isAppError(error, 'BadRequest'))
      return { error: 'That is not a user name or email address I can look up.' };
    throw error;
  }
  if (user === undefined) {
    return {
      error: `I could not find ${typed === undefined ? 'that person' : literal(typed)} in your directory. Check the spelling, or pick them from the list.`,
    };
  }
  const refusal = await approverRefusal(checks, requester, user);
  if (refusal !== undefined) return { error: refusal };
  return {
    approver: { aadObjectId: user.id, name: user.displayName, userPrincipalName: user.userPrincipalName },
  };
}

/**
 * Why this person may not approve the requester's request, or undefined when they may: never the
 * requester, an enabled account, and a Global Administrator or Privileged Role Administrator. The one
 * rule for the approver chosen at submit and for one chosen later (Change the approver).
 */
export async function approverRefusal(
  checks: AccessChecks,
  requester: Actor,
  user: DirectoryUser,
): Promise<string | undefined> {
  if (sameUser(user.id, requester.aadObjectId))
    return 'You cannot approve your own request: pick a second administrator.';
  if (!user.accountEnabled)
    return `${literal(user.displayName)}'s account is disabled, so they cannot approve.`;
  if (!(await checks.isAdmin(user.id)))
    return `${literal(user.displayName)} is not a ${ADMIN_ROLE_NAMES}, so they cannot approve creating a Global Administrator.`;
  return undefined;
}
