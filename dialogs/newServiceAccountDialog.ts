/**
 * `new service account`: the waterfall that gathers a complete, checked request. One card per step,
 * each with Back and Cancel; a step skips its card when its section is not pending, so Back, Edit
 * from review and a pre-filled start are all the same restart with a different `pending` list.
 */
import {
  ComponentDialog,
  type DialogTurnResult,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { actorOf } from '../src/bot/actor';
import { type AccessChecks, directAccessChecks } from '../src/domain/authorization';
import { isAppError } from '../src/domain/errors';
import { within } from '../src/domain/patience';
import type { Directory, Exchange } from '../src/domain/ports';
import { runPreflight } from '../src/domain/preflight';
import { requestSubject } from '../src/domain/request';
import type { AuditLog, RequestStore } from '../src/domain/requestPorts';
import type { Scheduler } from '../src/domain/workPorts';
import { submitRequest } from '../src/useCases/submitRequest';
import { answerInPlace, FORM_CHECK_WITHIN_MS, FormPrompt, type FormResult } from './formPrompt';
import { offersAppGrant, preflightData, reviewData, tenantSnapshot } from './wizardCards';
import { rightToAsk } from './rightToAsk';
import { appAccessCard, appAccessValidator } from './appAccessForm';
import {
  newWizard,
  APP_SECTIONS,
  requestDetails,
  type Section,
  sectionsOf,
  type WizardState,
  wizardAfter,
} from './requestDraft';
import {
  accountCard,
  accountValidator,
  approverCard,
  approverValidator,
  contactCard,
  contactValidator,
  syncCard,
  syncValidator,
} from './requestForms';
import { literal } from '../src/domain/words';

export const NEW_SERVICE_ACCOUNT_DIALOG = 'newServiceAccountDialog';
const WATERFALL = 'newServiceAccountWaterfall';
const FORMS: Readonly<Record<Section, string>> = {
  tenant: 'tenantForm',
  account: 'accountForm',
  contact: 'contactForm',
  sync: 'syncForm',
  appAccess: 'appAccessForm',
  approver: 'approverForm',
  review: 'reviewForm',
};

export interface NewServiceAccountDialogDeps {
  directory: Directory;
  /** Admin roles and group membership, cached briefly; asks Graph directly when not given. */
  access?: AccessChecks;
  exchange: Exchange;
  requests: RequestStore;
  audit: AuditLog;
  tenantId: string;
  now: () => Date;
  approvalExpiryMs: number;
  /** Members of this group may ask too (besides the admin roles). */
  requesterGroupId?: string;
  /** The approval's delivery, reminder and expiry are scheduled as the request is submitted. */
  scheduler: Scheduler;
}

/** Passes every button press through: the review and pre-flight cards carry no inputs to check. */
const acceptAsShown = (title: string) => async () => ({
  ok: true as const,
  values: {},
  done: { title, facts: [] },
});

export class NewServiceAccountDialog extends ComponentDialog {
  constructor(private readonly deps: NewServiceAccountDialogDeps) {
    super(NEW_SERVICE_ACCOUNT_DIALOG);
    this.addDialog(new FormPrompt(FORMS.tenant, acceptAsShown('✓ Checks')));
    this.addDialog(new FormPrompt(FORMS.account, accountValidator(deps.directory)));
    this.addDialog(new FormPrompt(FORMS.contact, contactValidator));
    this.addDialog(new FormPrompt(FORMS.sync, syncValidator));
    this.addDialog(new FormPrompt(FORMS.appAccess, appAccessValidator(deps.directory)));
    this.addDialog(
      new FormPrompt(
        FORMS.approver,
        approverValidator(deps.directory, deps.access ?? directAccessChecks(deps.directory)),
      ),
    );
    this.addDialog(new FormPrompt(FORMS.review, acceptAsShown('Submitted for approval')));
    this.addDialog(
      new WaterfallDialog(WATERFALL, [
        this.checkTenantStep.bind(this),
        this.afterTenantCheckStep.bind(this),
        this.askAppAccessStep.bind(this),
        this.afterAppAccessStep.bind(this),
        this.askAccountStep.bind(this),
        this.afterAccountStep.bind(this),
        this.askContactStep.bind(this),
        this.afterContactStep.bind(this),
        this.askSyncStep.bind(this),
        this.afterSyncStep.bind(this),
        this.askApproverStep.bind(this),
        this.afterApproverStep.bind(this),
        this.reviewStep.bind(this),
        this.submitStep.bind(this),
      ]),
    );
    this.initialDialogId = WATERFALL;
  }

  private wizard(step: WaterfallStepContext): WizardState {
    const values = step.values as { wizard?: WizardState };
    const given = step.options as Partial<WizardState> | undefined;
    values.wizard ??= Array.isArray(given?.pending) ? structuredClone(given as WizardState) : newWizard();
    values.wizard.owner ??= actorOf(step.context);
    return values.wizard;
  }

  private async checkTenantStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('tenant')) return step.next();
    let report;
    try {
      // Pressed (Check again): answered within an invoke's time; typed: as long as the check takes.
      const check = runPreflight(this.deps, {});
      report =
        step.context.activity.type === 'invoke' ? await within(FORM_CHECK_WITHIN_MS, check) : await check;
    } catch (error) {
      const reason = isAppError(error) ? error.userMessage : 'Microsoft 365 did not answer.';
      await step.context.sendActivity(
        `I could not check your tenant: ${reason} Try \`new service account\` again in a few minutes.`,
      );
      return step.endDialog({ cancelled: true });
    }
    wizard.tenant = tenantSnapshot(report);
    wizard.appOffered = offersAppGrant(report);
    return step.beginDialog(FORMS.tenant, { card: 'preflight', data: preflightData(report) });
  }

  private async afterTenantCheckStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'tenant', (_values, wizard) => {
      if (!wizard.appOffered) return;
      wizard.path = 'app';
      wizard.pending = [...APP_SECTIONS];
    });
  }

  private async askAccountStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('account') || wizard.tenant === undefined) return step.next();
    return step.beginDialog(FORMS.account, {
      card: 'account',
      data: accountCard(wizard.draft, wizard.tenant, wizard.path),
    });
  }

  private async askAppAccessStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('appAccess')) return step.next();
    return step.beginDialog(FORMS.appAccess, {
      card: 'appAccess',
      data: appAccessCard(wizard.draft, wizard.path ?? 'app', wizard.tenant),
    });
  }

  private async afterAppAccessStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'appAccess', (values, wizard) => {
      wizard.draft.appId = values.appId;
      wizard.draft.appScope = values.appScope as WizardState['draft']['appScope'];
      wizard.draft.appScopeValue = values.appScopeValue;
      wizard.draft.appRoles = values.appRoles;
      wizard.draft.appPrincipal = { id: values.appPrincipalId, displayName: values.appPrincipalName };
      wizard.draft.alsoAccount = values.alsoAccount === 'true';
      const path = wizard.draft.alsoAccount ? 'appAndAccount' : 'app';
      if (path !== wizard.path) {
        // The other path asks other cards: everything after this one, in its order.
        const sections = sectionsOf(path);
        wizard.path = path;
        wizard.pending = sections.slice(sections.indexOf('appAccess'));
      }
    });
  }

  private async afterAccountStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'account', (values, wizard) => {
      wizard.draft.displayName = values.displayName;
      wizard.draft.username = values.username;
      wizard.draft.domain = values.domain;
    });
  }

  private async askContactStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('contact')) return step.next();
    return step.beginDialog(FORMS.contact, { card: 'contact', data: contactCard(wizard.draft, wizard.path) });
  }

  private async afterContactStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'contact', (values, wizard) => {
      for (const key of Object.keys(wizard.draft.contact) as (keyof typeof wizard.draft.contact)[]) {
        wizard.draft.contact[key] = values[key] ?? '';
      }
    });
  }

  private async askSyncStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('sync') || wizard.tenant === undefined) return step.next();
    return step.beginDialog(FORMS.sync, {
      card: 'sync',
      data: syncCard(wizard.draft, wizard.tenant, wizard.path),
    });
  }

  private async afterSyncStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'sync', (values, wizard) => {
      wizard.draft.publicFolders = values.publicFolders === 'true';
      wizard.draft.skuId = values.skuId;
      wizard.draft.usageLocation = values.usageLocation;
    });
  }

  private async askApproverStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const wizard = this.wizard(step);
    if (!wizard.pending.includes('approver')) return step.next();
    return step.beginDialog(FORMS.approver, {
      card: 'approver',
      data: approverCard(wizard.draft, wizard.path),
    });
  }

  private async afterApproverStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.advance(step, 'approver', (values, wizard) => {
      wizard.draft.approverId = values.approverId;
      wizard.draft.approverUpn = values.approverUpn;
      wizard.draft.approver = {
        aadObjectId: values.approverId,
        userPrincipalName: values.approverUpn,
        name: values.approverName,
      };
    });
  }

  private async reviewStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.beginDialog(FORMS.review, { card: 'review', data: reviewData(this.wizard(step)) });
  }

  private async submitStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as FormResult | undefined;
    if (result?.kind !== 'next') return this.advance(step, 'review', () => undefined);
    const wizard = this.wizard(step);
    const requester = wizard.owner;
    const approver = wizard.draft.approver;
    if (approver === undefined || requester === undefined) {
      await step.context.sendActivity('The request is missing its approver; please pick one again.');
      return step.replaceDialog(this.initialDialogId as string, {
        ...wizard,
        pending: ['approver', 'review'],
      });
    }
    const right = await rightToAsk(step.context, this.deps, requester);
    if (right === 'unknown') {
      answerInPlace(step.context, 'Not sent yet');
      return step.replaceDialog(WATERFALL, { ...wizard, pending: ['review'] });
    }
    if (!right.allowed) {
      answerInPlace(step.context, 'Not sent');
      await step.context.sendActivity(`${right.message} Nothing was sent for approval.`);
      return step.endDialog({ cancelled: true });
    }
    let request;
    try {
      request = await submitRequest(
        { ...this.deps, settings: { approvalExpiryMs: this.deps.approvalExpiryMs } },
        {
          // The review card's form id: a double press racing itself cannot make two requests.
          id: result.formId,
          requester,
          approver,
          details: requestDetails(wizard),
        },
      );
    } catch (error) {
      if (!isAppError(error, 'Conflict')) throw error;
      await step.context.sendActivity(
        'This request was already submitted. Type `status` to see where it stands.',
      );
      return step.endDialog({ submitted: result.formId });
    }
    await step.context.sendActivity(
      `Your request for ${requestSubject(request)} is waiting for approval by ${literal(approver.name)}: ` +
        `I am sending it to them now. Nothing is created until they approve. Type \`status\` to see where it stands. (Request ${request.id})`,
    );
    return step.endDialog({ submitted: request.id });
  }

  /** Handles a form's result: record and go on, or go back, edit, check again, or cancel. */
  private async advance(
    step: WaterfallStepContext,
    section: Section,
    apply: (values: Record<string, string>, wizard: WizardState) => void,
  ): Promise<DialogTurnResult> {
    const result = step.result as FormResult | undefined;
    const wizard = this.wizard(step);
    if (result === undefined) return step.next();
    switch (result.kind) {
      case 'next':
        apply(result.values, wizard);
        wizard.pending = wizard.pending.filter((s) => s !== section);
        return step.next();
      case 'back':
      case 'retry':
        return step.replaceDialog(WATERFALL, wizardAfter({ kind: result.kind }, section, wizard));
      case 'edit':
        return step.replaceDialog(WATERFALL, wizardAfter(result, section, wizard));
      case 'cancel':
        await step.context.sendActivity('Cancelled. Nothing was created.');
        return step.endDialog({ cancelled: true });
    }
  }
}
