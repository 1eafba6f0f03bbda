/**
 * What the provisioning of one request has done so far, as the provisioning job records it, and the
 * progress report drawn from it (the progress card shows exactly this).
 */
import type { ProvisioningProgress } from './provisionAccount';
import type { StepName, StepResult } from './provisioningSteps';
import { createsAccount, type ServiceAccountRequest } from './request';

/** What the provisioning keeps between runs (never the password: that is in the password store). */
export interface ProvisionData {
  progress?: ProvisioningProgress;
  startedAt?: string;
  failure?: { step?: StepName; message: string; detail?: string };
  /** Set when "Remove what was created" ran; a later Retry starts from the beginning. */
  removed?: string;
}

function isStepResult(value: unknown): value is StepResult {
  const v = value as Partial<StepResult> | undefined;
  return typeof v?.step === 'string' && typeof v.outcome === 'string' && typeof v.detail === 'string';
}

/** Saved provisioning data, narrowed: whatever is malformed is dropped rather than trusted. */
export function provisionData(raw: Record<string, unknown>): ProvisionData {
  const data: ProvisionData = {};
  const progress = raw.progress as Partial<ProvisioningProgress> | undefined;
  if (progress !== undefined && progress !== null && Array.isArray(progress.completed)) {
    data.progress = {
      ...(typeof progress.userId === 'string' ? { userId: progress.userId } : {}),
      completed: progress.completed.filter(isStepResult),
    };
  }
  for (const key of ['startedAt', 'removed'] as const) {
    if (typeof raw[key] === 'string') data[key] = raw[key];
  }
  const failure = raw.failure as ProvisionData['failure'] | undefined;
  if (failure !== undefined && failure !== null && typeof failure.message === 'string')
    data.failure = failure;
  return data;
}

/** A line of facts under the steps: "✓ Created the user", "Started 10:05 UTC". */
export interface ReportFact {
  title: string;
  value: string;
}

/** The "ready" part of the report: the hand-over and the next steps. */
export interface ReadyReport {
  note: string;
  canReveal: boolean;
  canReset?: boolean;
  canDowngrade: boolean;
  facts: ReportFact[];
  /** The owners' buttons: Owners, Disable or Enable account, Rotate password, Hand over to Key Vault. */
  canOwners?: boolean;
  canDisable?: boolean;
  canEnable?: boolean;
  canRotate?: boolean;
  canHandOver?: boolean;
  /** An owner pressed Disable or Enable: the card asks once more. */
  confirming?: 'disable' | 'enable';
}

/** Where a request's provisioning stands, for the progress card. */
export interface ProgressView {
  request: ServiceAccountRequest;
  completed: StepResult[];
  /** The step being worked on now. */
  current?: StepName;
  startedAt?: string;
  failure?: { step?: StepName; message: string; detail?: string };
  /** The user this request created may exist: removal is offered on a failure. */
  createdSomething: boolean;
  /** The requester pressed Remove: the card asks for confirmation. */
  confirmingRemove?: boolean;
  /** What the removal did, once it ran. */
  removed?: string;
  /** Waiting for Exchange: when it started and what the last poll saw. */
  replication?: { since: string; lastSeen?: string };
  /** Ready: the hand-over and the downgrade. */
  ready?: ReadyReport;
}

/** The progress report for a request as its provisioning data describes it. */
export function progressViewOf(request: ServiceAccountRequest, data: ProvisionData): ProgressView {
  return {
    request,
    completed: data.progress?.completed ?? [],
    startedAt: data.startedAt,
    failure: request.state === 'Failed' ? data.failure : undefined,
    // Only a user is ever removed: an app-only grant has nothing "Remove what was created" could undo.
    createdSomething:
      data.removed === undefined &&
      createsAccount(request) &&
      (data.progress?.completed.some((r) => r.step === 'user') ?? false),
    removed: data.removed,
  };
}
