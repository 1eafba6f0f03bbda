/**
 * The kinds of durable job and their ids. One job per kind and request: the id is derived from both,
 * so scheduling the same work twice finds the job that is already there.
 */
export const JOB_KINDS = {
  deliverApproval: 'approval.deliver',
  remindApprover: 'approval.remind',
  expireRequest: 'approval.expire',
  provision: 'provision',
  replication: 'replication',
  passwordPurge: 'password.purge',
  globalAdminLimit: 'globalAdmin.limit',
  healthWatch: 'health.watch',
  /** A card press answered "under way" (one job per press, not per request: latePresses.ts). */
  latePress: 'press.late',
} as const;

export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];

export function jobId(kind: JobKind, tenantId: string, requestId: string): string {
  return `${kind}:${tenantId}:${requestId}`;
}
