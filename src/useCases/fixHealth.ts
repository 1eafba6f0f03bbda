/**
 * The Fix button of the health card. Story: the press gate admitted an owner → the problem must still
 * be on the account's health record (card data only names it) → a fix that changes nothing of the
 * account's rights runs at once; a fix that grants privilege back (sign-in, the role group, Reviewer,
 * the app's roles) is only asked for, by compare-and-set on the record, and runs when a second owner
 * approves it — never the one who asked, as a request is never approved by its requester → audited →
 * the account is checked again, so "healthy again" follows when it is.
 */
import { type HealthCode, type HealthFix, FIX_GRANTS_PRIVILEGE, FIX_TITLES } from '../domain/accountHealth';
import { grantAppAccess } from '../domain/appAccessSteps';
import { sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import { specOf } from '../domain/provisionAccount';
import {
  ensureImpersonationRoleGroup,
  ensureLicence,
  ensurePublicFolderReviewer,
  type StepContext,
} from '../domain/provisioningSteps';
import {
  type Actor,
  appGrant,
  auditRecord,
  ownersOf,
  requestSubject,
  type ServiceAccountRequest,
} from '../domain/request';
import type { HealthRecord, HealthView } from '../domain/workPorts';
import { accountUserId } from './accountUser';
import { type HealthServices, healthView, readHealth, recordCheck } from './checkHealth';
import { downgradeRole, type DowngradeServices } from './downgradeRole';
import type { Services } from './services';
import { literal } from '../domain/words';

export type FixServices = HealthServices & DowngradeServices & Pick<Services, 'appAccess' | 'patience'>;

export type FixOutcome =
  /** The fix ran (`message` says what it did), and the card is the account's health after it. */
  | { kind: 'fixed'; message: string; view: HealthView }
  /** A fix that grants privilege was asked for and waits for a second owner. */
  | { kind: 'asked'; message: string; view: HealthView }
  | { kind: 'refused'; message: string };

function problemOf(record: HealthRecord | undefined, code: string) {
  return record?.problems.find((p) => p.code === code);
}

const GONE = 'That problem is no longer reported for this account: the last health check did not find it.';

/** Runs one fix against the tenant. Each is safe to repeat: it looks first and acts only if missing. */
async function repair(
  services: FixServices,
  actor: Actor,
  request: ServiceAccountRequest,
  fix: HealthFix,
): Promise<string> {
  const data = await services.provisioning.get(request);
  if (fix === 'restoreAppRoles') {
    const spec = appGrant(request);
    if (spec === undefined) throw new Error('The request grants no app');
    await grantAppAccess(spec, { exchange: services.appAccess });
    return `${literal(spec.displayName)} holds ${spec.roles.join(', ')} in Exchange Online again.`;
  }
  if (fix === 'downgrade') {
    const outcome = await downgradeRole(services, actor, request);
    return outcome.kind === 'refused' ? outcome.message : 'The account is no longer a Global Administrator.';
  }
  const ctx: StepContext = {
    spec: specOf(request),
    directory: services.directory,
    exchange: services.exchange,
    patience: services.patience,
    password: '',
    userId: await accountUserId(services, request, data),
  };
  switch (fix) {
    case 'enableAccount':
      await services.directory.updateUser(ctx.userId as string, { accountEnabled: true });
      return 'The account can sign in again.';
    case 'restorePasswordPolicy':
      await services.directory.updateUser(ctx.userId as string, {
        passwordPolicies: 'DisablePasswordExpiration',
      });
      return 'Its password is set to never expire again.';
    case 'assignLicence':
      return (await ensureLicence(ctx)).detail;
    case 'addReviewer':
      return (await ensurePublicFolderReviewer(ctx)).detail;
    case 'addToRoleGroup':
      return (await ensureImpersonationRoleGroup(ctx)).detail;
  }
}

/** Runs the fix, audits it, checks the account again and draws the card for `actor`. */
async function runFix(
  services: FixServices,
  actor: Actor,
  request: ServiceAccountRequest,
  problem: { code: HealthCode; fix: HealthFix; title: string },
  askedBy?: Actor,
): Promise<FixOutcome> {
  let done: string;
  try {
    done = await repair(services, actor, request, problem.fix);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { kind: 'refused', message: `I could not fix it: ${error.userMessage}` };
  }
  const at = services.now().toISOString();
  await services.audit.append(
    auditRecord(
      request,
      actor,
      'health fixed',
      'Ready',
      at,
      `${FIX_TITLES[problem.fix]} (${problem.title})${askedBy === undefined ? '' : `; asked by ${askedBy.name}, approved by ${actor.name}`}`,
    ),
  );
  const view = await checkAgain(services, actor, request, `Fixed: ${done}`);
  return { kind: 'fixed', message: done, view };
}

/** A fresh check after a fix, recorded like the watch's own (so "healthy again" is told once). */
async function checkAgain(
  services: FixServices,
  actor: Actor,
  request: ServiceAccountRequest,
  headline: string,
): Promise<HealthView> {
  const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
  const found = await readHealth(services, current);
  const record =
    (await recordCheck(services, current, found)) ??
    (await services.health.get(request.tenantId, request.id));
  const shown = found.filter((p) => record?.problems.some((r) => r.code === p.code) ?? true);
  return healthView(
    current,
    record ?? { tenantId: request.tenantId, requestId: request.id, subject: '', problems: [], version: 0 },
    shown,
    actor.aadObjectId,
    shown.length === 0 ? `${headline} Every health check passes now.` : headline,
  );
}

export async function fixHealth(
  services: FixServices,
  actor: Actor,
  request: ServiceAccountRequest,
  code: string,
): Promise<FixOutcome> {
  if (request.state !== 'Ready') return { kind: 'refused', message: 'Only a ready account is looked after.' };
  const record = await services.health.get(request.tenantId, request.id);
  const problem = problemOf(record, code);
  if (problem === undefined) return { kind: 'refused', message: GONE };
  const fix = problem.fix;
  if (fix === undefined)
    return { kind: 'refused', message: 'I cannot fix that one myself; the card says what to change.' };
  if (!FIX_GRANTS_PRIVILEGE[fix]) return runFix(services, actor, request, { ...problem, fix });

  // Privilege comes back only with a second admin: ask, once, by compare-and-set on the record.
  const at = services.now().toISOString();
  let already: HealthRecord['pendingFix'];
  const asked = await services.health.update(request.tenantId, request.id, (current) => {
    already = current?.pendingFix;
    if (current === undefined || already !== undefined || problemOf(current, code) === undefined)
      return undefined;
    return { ...current, pendingFix: { code: problem.code, fix, by: actor, at } };
  });
  if (asked === undefined) {
    if (already !== undefined)
      return {
        kind: 'refused',
        message: sameUser(already.by.aadObjectId, actor.aadObjectId)
          ? 'You asked for this fix already; another owner of the account must approve it.'
          : `${literal(already.by.name)} asked for a fix already; it is waiting for approval.`,
      };
    return { kind: 'refused', message: GONE };
  }
  await services.audit.append(
    auditRecord(request, actor, 'health fix asked', 'Ready', at, `${FIX_TITLES[fix]} (${problem.title})`),
  );
  const others = ownersOf(request).filter((owner) => !sameUser(owner.aadObjectId, actor.aadObjectId));
  // The card shows the problems as the last check recorded them: no second read of the tenant.
  const problems = asked.problems;
  let reached = 0;
  for (const owner of others) {
    const sent = await services.notifier.sendHealth(
      request,
      owner,
      healthView(
        request,
        asked,
        problems,
        owner.aadObjectId,
        `${literal(actor.name)} asks to fix ${requestSubject(request)}: ${FIX_TITLES[fix].toLowerCase()}. It gives a right back, so a second admin must approve it.`,
      ),
    );
    if (sent) reached++;
  }
  const message =
    others.length === 0
      ? 'This fix gives a right back, so a second admin must approve it, and the account has no other owner. Add one with **Owners** on the ready message.'
      : `This fix gives a right back, so a second admin must approve it. I asked ${others.map((o) => literal(o.name)).join(', ')}${reached < others.length ? ' (not everyone could be reached in Teams; they can type `health`)' : ''}.`;
  return {
    kind: 'asked',
    message,
    view: healthView(request, asked, problems, actor.aadObjectId, message),
  };
}

export async function approveHealthFix(
  services: FixServices,
  actor: Actor,
  request: ServiceAccountRequest,
  code: string,
): Promise<FixOutcome> {
  if (request.state !== 'Ready') return { kind: 'refused', message: 'Only a ready account is looked after.' };
  const record = await services.health.get(request.tenantId, request.id);
  const pending = record?.pendingFix;
  if (pending === undefined || pending.code !== code)
    return { kind: 'refused', message: 'No fix is waiting for approval there any more.' };
  if (sameUser(pending.by.aadObjectId, actor.aadObjectId))
    return {
      kind: 'refused',
      message: 'You asked for this fix, so you cannot approve it: another owner of the account must.',
    };
  // The approval that clears the asked fix is the one that runs it.
  let taken: HealthRecord['pendingFix'];
  const cleared = await services.health.update(request.tenantId, request.id, (current) => {
    taken = current?.pendingFix;
    if (current === undefined || taken === undefined || taken.code !== code || taken.at !== pending.at)
      return undefined;
    const { pendingFix: _done, ...rest } = current;
    return rest;
  });
  if (cleared === undefined || taken === undefined)
    return { kind: 'refused', message: 'Someone approved this fix a moment ago.' };
  const problem = problemOf(record, code);
  const outcome = await runFix(
    services,
    actor,
    request,
    { code: taken.code, fix: taken.fix, title: problem?.title ?? FIX_TITLES[taken.fix] },
    taken.by,
  );
  if (outcome.kind === 'fixed')
    await services.notifier.tellPerson(
      request,
      taken.by,
      `${literal(actor.name)} approved your fix of ${requestSubject(request)}: ${outcome.message}`,
    );
  return outcome;
}
