/**
 * How long things wait: the shutdown grace, a request's approval window and reminder, replication,
 * the password's reveal window and a job runner's lease. Settings are in seconds, minutes or hours
 * (decimals allowed); the values are milliseconds.
 */
import type { SettingsReader } from './reader';

export interface ReplicationTimers {
  settleMs: number;
  pollMs: number;
  timeoutMs: number;
  confirmations: number;
}

/** How long a shutdown waits for turns in flight before closing storage anyway. */
export function readShutdownGrace(r: SettingsReader): number {
  return r.number('SHUTDOWN_GRACE_SECONDS', 10, 0, 600, false) * 1000;
}

export interface ApprovalTimers {
  /** How long a request waits for its approver before it expires. */
  approvalExpiryMs: number;
  /** How long before expiry the approver is reminded; 0 for no reminder. */
  approvalReminderMs: number;
}

export function readApprovalTimers(r: SettingsReader): ApprovalTimers {
  const approvalExpiryMs = r.number('APPROVAL_EXPIRY_HOURS', 24, 0.01, 24 * 30, false) * 3_600_000;
  const approvalReminderMs = r.number('APPROVAL_REMINDER_HOURS', 4, 0, 24 * 30, false) * 3_600_000;
  if (approvalReminderMs > 0 && approvalReminderMs >= approvalExpiryMs) {
    r.problem('APPROVAL_REMINDER_HOURS: must be less than APPROVAL_EXPIRY_HOURS (or 0 for no reminder)');
  }
  return { approvalExpiryMs, approvalReminderMs };
}

export interface AccountTimers {
  replication: ReplicationTimers;
  /** How long the password may be revealed once the account is ready. */
  passwordRevealMs: number;
  /** A job runner's claim on a job; after a crash another start takes the job over once it lapses. */
  jobLeaseMs: number;
}

/** How long the account stays a Global Administrator before the bot steps in. */
export interface GlobalAdminTimers {
  /** After "ready", the requester is reminded to downgrade once this has passed; 0 for no reminder. */
  globalAdminReminderMs: number;
  /** After "ready", the bot lowers the role itself once this has passed; unset = never on its own. */
  autoDowngradeMs?: number;
  /** How often the health watch checks a ready account. */
  healthCheckMs: number;
  /** The health watch flags Global Administrator held this long after "ready"; unset = never. */
  globalAdminFlagMs?: number;
}

export function readGlobalAdminTimers(r: SettingsReader): GlobalAdminTimers {
  const globalAdminReminderMs = r.number('GA_REMINDER_HOURS', 24, 0, 24 * 365, false) * 3_600_000;
  const healthCheckMs = r.number('HEALTH_CHECK_HOURS', 24, 0.001, 24 * 30, false) * 3_600_000;
  const flagHours = r.number('GA_HEALTH_FLAG_HOURS', 168, 0, 24 * 365, false);
  const flag = flagHours === 0 ? {} : { globalAdminFlagMs: flagHours * 3_600_000 };
  const auto = r.read('AUTO_DOWNGRADE_HOURS');
  if (auto === undefined || auto.trim() === '') return { globalAdminReminderMs, healthCheckMs, ...flag };
  const autoDowngradeMs = r.number('AUTO_DOWNGRADE_HOURS', 0, 0.01, 24 * 365, false) * 3_600_000;
  return { globalAdminReminderMs, autoDowngradeMs, healthCheckMs, ...flag };
}

/** Replication defaults to seconds against the simulator and to minutes against a real Exchange. */
export function readAccountTimers(r: SettingsReader, simulated: boolean): AccountTimers {
  const replication = {
    settleMs: r.number('REPLICATION_SETTLE_MINUTES', simulated ? 0.25 : 30, 0, 24 * 60, false) * 60_000,
    pollMs: Math.max(100, r.number('REPLICATION_POLL_SECONDS', simulated ? 5 : 60, 0.1, 3_600, false) * 1000),
    timeoutMs: r.number('REPLICATION_TIMEOUT_MINUTES', 120, 0.01, 7 * 24 * 60, false) * 60_000,
    confirmations: 2,
  };
  const passwordRevealMs = r.number('PASSWORD_REVEAL_MINUTES', 15, 0.1, 24 * 60, false) * 60_000;
  const jobLeaseMs = r.number('JOB_LEASE_SECONDS', 60, 0.5, 3_600, false) * 1000;
  return { replication, passwordRevealMs, jobLeaseMs };
}
