/**
 * Everything a use case may be given: the ports (docs/architecture.md, "Layers") and the settings
 * that shape the stories. Each use case takes only the part it needs (`Pick<Services, …>`), so a test
 * hands it in-memory fakes and nothing else.
 */
import type { Patience } from '../domain/patience';
import type { Directory, Exchange, ExchangeAppAccess } from '../domain/ports';
import type { ReplicationPolicy } from '../domain/replication';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import type {
  Background,
  HealthRecords,
  Notifier,
  PasswordHandOver,
  PasswordStore,
  ProvisioningRecords,
  Scheduler,
} from '../domain/workPorts';

export interface Services {
  /** The tenant the bot provisions in. */
  tenantId: string;
  requests: RequestStore;
  audit: AuditLog;
  notifier: Notifier;
  scheduler: Scheduler;
  provisioning: ProvisioningRecords;
  passwords: PasswordStore;
  /** The health watch's record of each ready account. */
  health: HealthRecords;
  /** Key Vault, when the password goes there instead of the Reveal button. */
  handOver?: PasswordHandOver;
  directory: Directory;
  exchange: Exchange;
  /** Exchange's RBAC for Applications, for requests that grant the sync product's app. */
  appAccess: ExchangeAppAccess;
  /** How long to wait for Microsoft 365 to catch up with a write. */
  patience: Patience;
  background: Background;
  now: () => Date;
  /** Makes a service account password. */
  newPassword: () => string;
  settings: Settings;
}

export interface Settings {
  approvalExpiryMs: number;
  /** How long Reveal password works after "ready" or a reset. */
  passwordRevealMs: number;
  /** The role Downgrade role gives in place of Global Administrator. */
  downgradeRoleId: string;
  /** After "ready": the requester is reminded to downgrade this much later; 0 = never. */
  globalAdminReminderMs: number;
  /** After "ready": the bot downgrades by itself this much later; unset = never. */
  autoDowngradeMs?: number;
  /** After "ready": how often the health watch checks the account. */
  healthCheckMs: number;
  /** The health watch flags Global Administrator held this long after "ready"; unset = never. */
  globalAdminFlagMs?: number;
  /** Members may approve in the approvals channel; their approvals are re-checked against it. */
  approverGroupId?: string;
  replication: Omit<ReplicationPolicy, 'maxPollMs'>;
}
