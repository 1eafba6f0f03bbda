/**
 * The provisioning progress card: one card in the requester's chat, updated in place after every
 * step (✓ done, ▶ running, ✗ failed, · to do), then the replication wait and the hand-over. On a
 * failure it says which step and why, in plain words, with Retry and (when something was created)
 * Remove what was created — the removal asks once more before it deletes anything.
 */
import { appGrant, createsAccount, requestTitle } from '../src/domain/request';
import { setupPlan } from '../src/domain/setupPlan';
import type { ProgressView } from '../src/domain/progress';
import type { StepResult } from '../src/domain/provisioningSteps';
import { utcMinutes } from '../src/domain/time';
import { type AdaptiveCardJson, type Fact, literal, renderCard } from './renderCard';

export type { ProgressView } from '../src/domain/progress';

const OUTCOME_WORDS: Readonly<Record<StepResult['outcome'], string>> = {
  created: 'done',
  existing: 'already in place',
  skipped: 'not needed',
};

export function progressCard(view: ProgressView): AdaptiveCardJson {
  const { request } = view;
  const plan = setupPlan(request);
  // Where an app is granted, the wait is for Exchange to apply its roles, with or without an account.
  const appWait = appGrant(request) !== undefined;
  const done = new Map(view.completed.map((r) => [r.step, r]));
  const steps = plan.map((step) => {
    const result = done.get(step.name);
    if (result !== undefined) return { mark: '✓', title: `${step.title} — ${OUTCOME_WORDS[result.outcome]}` };
    if (view.failure?.step === step.name) return { mark: '✗', title: step.title };
    if (view.current === step.name) return { mark: '▶', title: `${step.title} — working on it` };
    return { mark: '·', title: step.title };
  });
  if (view.replication !== undefined || view.ready !== undefined || request.state === 'Ready') {
    const waiting = request.state === 'AwaitingReplication';
    steps.push({
      mark: waiting ? '▶' : view.ready !== undefined || request.state === 'Ready' ? '✓' : '·',
      title: appWait
        ? waiting
          ? 'Wait for Exchange to apply the app’s roles (up to 2 hours)'
          : 'Exchange applied the app’s roles'
        : waiting
          ? 'Wait for Exchange to replicate the impersonation role (usually 30–45 minutes)'
          : 'Exchange replicated the impersonation role',
    });
  }
  const failedAt =
    view.failure?.step === undefined ? -1 : plan.findIndex((s) => s.name === view.failure?.step);
  const status =
    view.removed !== undefined
      ? { text: 'Removed what this request created', color: 'Warning' }
      : view.failure !== undefined
        ? {
            text:
              failedAt >= 0
                ? `Step ${failedAt + 1} of ${plan.length} failed`
                : 'Setting up the account failed',
            color: 'Attention',
          }
        : request.state === 'Ready' && request.accountDisabled !== undefined
          ? {
              text: `Disabled by ${literal(request.accountDisabled.by.name)} at ${utcMinutes(request.accountDisabled.at)}`,
              color: 'Warning',
            }
          : request.state === 'Ready'
            ? { text: 'Ready', color: 'Good' }
            : request.state === 'AwaitingReplication'
              ? { text: 'Created — waiting for Exchange', color: 'Accent' }
              : {
                  text: `Working on it (${view.completed.length} of ${plan.length} steps done)`,
                  color: 'Accent',
                };
  const facts: Fact[] = [];
  if (view.startedAt !== undefined) facts.push({ title: 'Started', value: utcMinutes(view.startedAt) });
  if (view.replication !== undefined && request.state === 'AwaitingReplication') {
    facts.push({ title: 'Waiting since', value: utcMinutes(view.replication.since) });
    if (view.replication.lastSeen !== undefined)
      facts.push({ title: 'Last check', value: view.replication.lastSeen });
  }
  facts.push(...(view.ready?.facts ?? []));
  const failed = view.failure !== undefined && view.removed === undefined && request.state === 'Failed';
  const ready = view.ready;
  // While an owner confirms Disable or Enable, the card offers only the confirmation.
  const asking = ready?.confirming;
  const offered = (flag: boolean | undefined) => asking === undefined && flag === true;
  return renderCard('progress', {
    requestId: request.id,
    kicker: !createsAccount(request)
      ? 'Granting the app access'
      : appGrant(request) === undefined
        ? 'Setting up the service account'
        : 'Setting up the service account and the app’s access',
    account: literal(requestTitle(request)),
    status: status.text,
    statusColor: status.color,
    steps,
    failure: view.failure?.message ?? '',
    failureDetail: view.failure?.detail ?? '',
    note:
      view.removed ??
      (view.confirmingRemove === true
        ? `This deletes the user this request created (which also releases its licence and roles).${appWait ? ' The app’s Exchange roles stay: Retry finds them in place.' : ''} Press **Yes, remove it** to go ahead.`
        : (view.ready?.note ?? '')),
    facts,
    canRetry: failed && view.confirmingRemove !== true,
    canRemove: failed && view.createdSomething && view.confirmingRemove !== true,
    canConfirmRemove: failed && view.createdSomething && view.confirmingRemove === true,
    canReveal: offered(ready?.canReveal),
    canReset: offered(ready?.canReset ?? ready?.canReveal),
    canDowngrade: offered(ready?.canDowngrade),
    canOwners: offered(ready?.canOwners),
    canDisable: offered(ready?.canDisable),
    canConfirmDisable: asking === 'disable',
    canEnable: offered(ready?.canEnable),
    canConfirmEnable: asking === 'enable',
    canRotate: offered(ready?.canRotate),
    canHandOver: offered(ready?.canHandOver),
  });
}
