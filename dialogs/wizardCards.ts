/** What the request form's pre-flight and review cards show, drawn from the report and the draft. */
import {
  type Fact,
  literal,
  type PreflightCardData,
  type ReviewCardData,
  wrappable,
} from '../cards/renderCard';
import { aboutAccount, type Finding, type PreflightReport } from '../src/domain/preflight';
import { CONTACT_TITLES } from '../src/domain/tenant';
import { count } from '../src/domain/words';
import { describeScope } from '../src/domain/appAccess';
import { appGrantOf, contactDetails, stepLabel, type WizardState } from './requestDraft';

/**
 * ApplicationImpersonation is gone (every Exchange Online tenant since February 2025): the form then
 * offers to grant CiraSync's own app instead. Whatever else pre-flight found concerns the account
 * (a user that signs in), which an app grant does not need.
 */
export function offersAppGrant(report: PreflightReport): boolean {
  return report.blockers.some((b) => b.code === 'impersonationRetired');
}

/** Where the app grant is offered: the findings that would matter to a service account beside it. */
function accountFindings(report: PreflightReport): Finding[] {
  return [...report.blockers, ...report.warnings].filter(aboutAccount);
}

/** What the form keeps of the tenant check: domains, licences, and the warnings the admin saw. */
export function tenantSnapshot(report: PreflightReport): NonNullable<WizardState['tenant']> {
  return {
    managedDomains: report.managedDomains,
    defaultDomain: report.defaultDomain,
    licences: report.mailboxSkus.map((s) => ({ skuId: s.skuId, name: s.name, freeSeats: s.freeSeats })),
    acknowledgedWarnings: [
      ...report.warnings.map((w) => w.code),
      ...(offersAppGrant(report) ? ['impersonationRetired'] : []),
    ],
    accountBlockers: offersAppGrant(report) ? report.blockers.filter(aboutAccount).map((b) => b.problem) : [],
  };
}

export function preflightData(report: PreflightReport): Omit<PreflightCardData, 'formId'> {
  if (offersAppGrant(report)) {
    const notes = accountFindings(report);
    return {
      step: stepLabel('tenant', 'app'),
      notice: '',
      summary:
        'Microsoft removed the ApplicationImpersonation role from Exchange Online in February 2025, so a service account can no longer open other mailboxes. ' +
        'Instead, CiraSync Enterprise’s own app registration can be given Exchange application roles over the mailboxes you choose, with no Global Administrator at all.' +
        (notes.length > 0
          ? ' The notes below matter only if you also create a service account, for public folders.'
          : ''),
      blockers: [],
      warnings: notes.map(({ problem, fix }) => ({ problem, fix })),
      continueTitle: 'Grant CiraSync’s app instead',
    };
  }
  const blocked = report.blockers.length > 0;
  return {
    step: stepLabel('tenant'),
    notice: '',
    summary: blocked
      ? `I found ${count(report.blockers.length, 'thing')} that would stop the service account from working. Nothing has been created. Fix them, then choose Check again.`
      : report.warnings.length > 0
        ? 'Your tenant can have the service account. Read these notes before you go on.'
        : 'Your tenant is ready for the service account.',
    blockers: report.blockers.map(({ problem, fix }) => ({ problem, fix })),
    warnings: report.warnings.map(({ problem, fix }) => ({ problem, fix })),
    continueTitle: report.warnings.length > 0 ? 'I understand, continue' : 'Continue',
  };
}

function facts(pairs: [string, string][]): Fact[] {
  return pairs.map(([title, value]) => ({ title, value: literal(wrappable(value)) }));
}

export function reviewData(wizard: WizardState): Omit<ReviewCardData, 'formId'> {
  const { draft } = wizard;
  const grant = wizard.path === 'app' ? appGrantOf(draft) : undefined;
  if (grant !== undefined) {
    return {
      step: stepLabel('review', 'app'),
      notice: '',
      account: facts([
        ['App', `${grant.displayName} (${grant.appId})`],
        ...grant.roles.map((role): [string, string] => ['Exchange role', role]),
        ['Over', describeScope(grant.scope)],
        ['Account', 'None: no user and no Global Administrator is created'],
      ]),
      contact: facts([['Contact', 'None']]),
      sync: facts([['Syncs', 'Through the app, with the roles above']]),
      approver: facts([
        ['Name', draft.approver ? `${draft.approver.name} (${draft.approver.userPrincipalName})` : ''],
      ]),
    };
  }
  const licence = wizard.tenant?.licences.find((l) => l.skuId === draft.skuId);
  const contact = contactDetails(draft);
  // Beside an account, the app's grant is what syncs the mailboxes; the account is for public folders.
  const besideApp = wizard.path === 'appAndAccount' ? appGrantOf(draft) : undefined;
  const appSync: [string, string][] =
    besideApp === undefined
      ? []
      : [
          ['App', `${besideApp.displayName} (${besideApp.appId})`],
          ...besideApp.roles.map((role): [string, string] => ['Exchange role', role]),
          ['Over', describeScope(besideApp.scope)],
          ['Impersonation', 'None: the app’s roles replace it'],
        ];
  return {
    step: stepLabel('review', wizard.path),
    notice: '',
    account: facts([
      ['Display name', draft.displayName],
      ['User name', `${draft.username}@${draft.domain}`],
      ['Role', 'Global Administrator (downgrade after CiraSync’s first sign-in)'],
      ['Password', 'Generated when approved; never expires; handed over privately'],
    ]),
    contact:
      Object.keys(contact).length === 0
        ? facts([['Contact', 'None']])
        : facts(
            Object.entries(contact).map(([k, v]) => [
              CONTACT_TITLES[k as keyof typeof CONTACT_TITLES],
              String(v),
            ]),
          ),
    sync: facts([
      ...appSync,
      ...((draft.publicFolders
        ? [
            ['Syncs', 'Global Address List and public folders'],
            ['Licence', licence?.name ?? draft.skuId],
            ['Usage location', draft.usageLocation],
          ]
        : [['Syncs', 'Global Address List']]) as [string, string][]),
    ]),
    approver: facts([
      ['Name', draft.approver ? `${draft.approver.name} (${draft.approver.userPrincipalName})` : ''],
    ]),
  };
}
