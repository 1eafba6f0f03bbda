/** What the request form's pre-flight and review cards show, drawn from the report and the draft. */
import type { Fact, PreflightCardData, ReviewCardData } from '../cards/renderCard';
import type { PreflightReport } from '../src/domain/preflight';
import { CONTACT_TITLES } from '../src/domain/tenant';
import { describeScope } from '../src/domain/appAccess';
import { appGrantOf, contactDetails, stepLabel, type WizardState } from './requestDraft';

/**
 * The one thing that stops a service account is ApplicationImpersonation being gone (every Exchange
 * Online tenant since February 2025): the form then offers to grant CiraSync's own app instead.
 */
export function offersAppGrant(report: PreflightReport): boolean {
  return report.blockers.length === 1 && report.blockers[0].code === 'impersonationRetired';
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
  };
}

export function preflightData(report: PreflightReport): Omit<PreflightCardData, 'formId'> {
  if (offersAppGrant(report)) {
    return {
      step: stepLabel('tenant', 'app'),
      notice: '',
      summary:
        'Microsoft removed the ApplicationImpersonation role from Exchange Online in February 2025, so a service account can no longer open other mailboxes. ' +
        'Instead, CiraSync Enterprise’s own app registration can be given Exchange application roles over the mailboxes you choose, with no Global Administrator at all.',
      blockers: [],
      warnings: report.warnings.map(({ problem, fix }) => ({ problem, fix })),
      continueTitle: 'Grant CiraSync’s app instead',
    };
  }
  const blocked = report.blockers.length > 0;
  return {
    step: stepLabel('tenant'),
    notice: '',
    summary: blocked
      ? `I found ${report.blockers.length} thing(s) that would stop the service account from working. Nothing has been created. Fix them, then choose Check again.`
      : report.warnings.length > 0
        ? 'Your tenant can have the service account. Read these notes before you go on.'
        : 'Your tenant is ready for the service account.',
    blockers: report.blockers.map(({ problem, fix }) => ({ problem, fix })),
    warnings: report.warnings.map(({ problem, fix }) => ({ problem, fix })),
    continueTitle: report.warnings.length > 0 ? 'I understand, continue' : 'Continue',
  };
}

function facts(pairs: [string, string][]): Fact[] {
  return pairs.map(([title, value]) => ({ title, value }));
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
  return {
    step: stepLabel('review'),
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
    sync: facts(
      draft.publicFolders
        ? [
            ['Syncs', 'Global Address List and public folders'],
            ['Licence', licence?.name ?? draft.skuId],
            ['Usage location', draft.usageLocation],
          ]
        : [['Syncs', 'Global Address List']],
    ),
    approver: facts([
      ['Name', draft.approver ? `${draft.approver.name} (${draft.approver.userPrincipalName})` : ''],
    ]),
  };
}
