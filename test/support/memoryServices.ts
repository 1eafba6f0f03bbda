/**
 * The use cases' services in memory, for tests without Teams, HTTP or SQLite: the real request store,
 * audit log and password vault over a `MemoryStorage` that lists keys, and recording fakes for what
 * goes outside (the notifier, the scheduler, the directory). Each fake records what it was asked, so a test can check
 * the story's side effects.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { PasswordVault } from '../../src/adapters/secrets/passwordVault';
import { SecretBox } from '../../src/adapters/secrets/secretBox';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { ListingMemoryStorage } from './listingMemoryStorage';
import { StorageHealthRecords } from '../../src/adapters/storage/storageHealthRecords';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { AppError } from '../../src/domain/errors';
import { DEFAULT_PATIENCE } from '../../src/domain/patience';
import type {
  Directory,
  Exchange,
  ExchangeAppAccess,
  ExchangeServicePrincipal,
} from '../../src/domain/ports';
import type { ProgressView, ProvisionData } from '../../src/domain/progress';
import type { Actor, ServiceAccountRequest } from '../../src/domain/request';
import type {
  ConditionalAccessPolicy,
  DirectoryAccountReading,
  DirectoryServicePrincipal,
  DirectoryUser,
  ExchangeAccountQuery,
  ExchangeAccountReading,
  RoleAssignment,
  TenantDomain,
} from '../../src/domain/tenant';
import { ROLE } from '../../src/domain/wellKnown';
import type {
  ApproverDelivery,
  Audience,
  Background,
  HealthView,
  Notifier,
  PasswordHandOver,
  ProvisioningRecords,
  Scheduler,
} from '../../src/domain/workPorts';
import type { Services } from '../../src/useCases/services';

type RequestKey = Pick<ServiceAccountRequest, 'tenantId' | 'id'>;

export const MEMORY_TENANT = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

/** What the notifier was asked to say, in order. */
export type Notice =
  | { kind: 'tell'; requestId: string; who: Audience; text: string }
  | { kind: 'tellPerson'; requestId: string; to: string; text: string }
  | { kind: 'health'; requestId: string; to: string; view: HealthView }
  | { kind: 'cards'; requestId: string; state: string }
  | { kind: 'progress'; requestId: string; view: ProgressView }
  | { kind: 'ready'; requestId: string; view: ProgressView; approverText: string }
  | { kind: 'readyUpdated'; requestId: string; view: ProgressView }
  | { kind: 'requesterCopy'; requestId: string }
  | { kind: 'delivered'; requestId: string }
  | { kind: 'offered'; requestId: string };

export class RecordingNotifier implements Notifier {
  readonly notices: Notice[] = [];
  /** What the next delivery to the approver answers. */
  delivery: ApproverDelivery = { reached: true, where: 'chat' };

  async postRequesterCopy(request: ServiceAccountRequest): Promise<void> {
    this.notices.push({ kind: 'requesterCopy', requestId: request.id });
  }
  async deliverToApprover(request: ServiceAccountRequest): Promise<ApproverDelivery> {
    this.notices.push({ kind: 'delivered', requestId: request.id });
    return this.delivery;
  }
  installAdvice(request: ServiceAccountRequest): string {
    return `Ask ${request.approver.name} to add the app.`;
  }
  async refreshApprovalCards(request: ServiceAccountRequest): Promise<void> {
    this.notices.push({ kind: 'cards', requestId: request.id, state: request.state });
  }
  async showProgress(request: ServiceAccountRequest, view: ProgressView): Promise<boolean> {
    this.notices.push({ kind: 'progress', requestId: request.id, view });
    return true;
  }
  async sendReady(
    request: ServiceAccountRequest,
    message: { requester: ProgressView; approverText: string },
  ): Promise<{ requester: boolean; approver: boolean }> {
    this.notices.push({
      kind: 'ready',
      requestId: request.id,
      view: message.requester,
      approverText: message.approverText,
    });
    return { requester: true, approver: true };
  }
  async updateReady(request: ServiceAccountRequest, view: ProgressView): Promise<boolean> {
    this.notices.push({ kind: 'readyUpdated', requestId: request.id, view });
    return true;
  }
  async tell(request: ServiceAccountRequest, who: Audience, text: string): Promise<boolean> {
    this.notices.push({ kind: 'tell', requestId: request.id, who, text });
    return true;
  }

  /** Object ids of people `tellPerson` cannot reach. */
  readonly unreachable = new Set<string>();

  async tellPerson(request: ServiceAccountRequest, person: Actor, text: string): Promise<boolean> {
    this.notices.push({ kind: 'tellPerson', requestId: request.id, to: person.aadObjectId, text });
    return !this.unreachable.has(person.aadObjectId);
  }

  async sendHealth(request: ServiceAccountRequest, person: Actor, view: HealthView): Promise<boolean> {
    this.notices.push({ kind: 'health', requestId: request.id, to: person.aadObjectId, view });
    return !this.unreachable.has(person.aadObjectId);
  }

  /** The health cards one person (by object id) was sent. */
  healthCards(userId: string): HealthView[] {
    return this.notices.flatMap((n) => (n.kind === 'health' && n.to === userId ? [n.view] : []));
  }

  /** What `tellPerson` said to one person (by object id). */
  toldPerson(userId: string): string[] {
    return this.notices.flatMap((n) => (n.kind === 'tellPerson' && n.to === userId ? [n.text] : []));
  }

  /** What the next offer in the approvals channel answers. */
  channel: 'posted' | 'already' | 'unavailable' = 'posted';

  async offerInApprovalsChannel(
    request: ServiceAccountRequest,
  ): Promise<'posted' | 'already' | 'unavailable'> {
    this.notices.push({ kind: 'offered', requestId: request.id });
    return this.channel;
  }

  told(who: Audience): string[] {
    return this.notices.flatMap((n) => (n.kind === 'tell' && n.who === who ? [n.text] : []));
  }
}

/** What was scheduled, in order; the provisioning records are kept here too. */
export type Scheduled =
  | { work: 'approval' | 'deliverAgain' | 'provisioning' | 'resumeProvisioning'; requestId: string }
  | { work: 'replicationWatch'; requestId: string; restart: boolean }
  | { work: 'passwordPurge'; requestId: string; at: string }
  | { work: 'globalAdminLimit' | 'healthWatch'; requestId: string; at: string; readyAt: string };

export class RecordingScheduler implements Scheduler, ProvisioningRecords {
  readonly scheduled: Scheduled[] = [];
  readonly records = new Map<string, ProvisionData>();
  wakes = 0;

  async approvalWork(request: RequestKey): Promise<void> {
    this.scheduled.push({ work: 'approval', requestId: request.id });
  }
  async deliverAgain(request: RequestKey): Promise<void> {
    this.scheduled.push({ work: 'deliverAgain', requestId: request.id });
  }
  async provisioning(request: RequestKey): Promise<void> {
    this.scheduled.push({ work: 'provisioning', requestId: request.id });
  }
  async resumeProvisioning(request: RequestKey): Promise<void> {
    this.scheduled.push({ work: 'resumeProvisioning', requestId: request.id });
  }
  async replicationWatch(request: RequestKey, at: Date, restart: boolean): Promise<string> {
    this.scheduled.push({ work: 'replicationWatch', requestId: request.id, restart });
    return at.toISOString();
  }
  async passwordPurge(request: RequestKey, at: Date): Promise<void> {
    this.scheduled.push({ work: 'passwordPurge', requestId: request.id, at: at.toISOString() });
  }
  async globalAdminLimit(request: RequestKey, at: Date, readyAt: Date): Promise<void> {
    this.scheduled.push({
      work: 'globalAdminLimit',
      requestId: request.id,
      at: at.toISOString(),
      readyAt: readyAt.toISOString(),
    });
  }
  async healthWatch(request: RequestKey, at: Date, readyAt: Date): Promise<void> {
    this.scheduled.push({
      work: 'healthWatch',
      requestId: request.id,
      at: at.toISOString(),
      readyAt: readyAt.toISOString(),
    });
  }
  wake(): void {
    this.wakes++;
  }
  async get(request: RequestKey): Promise<ProvisionData> {
    return this.records.get(request.id) ?? {};
  }

  works(): string[] {
    return this.scheduled.map((s) => s.work);
  }
}

/** Background work run at once; `idle()` waits for all of it and rethrows the first failure. */
export class InlineBackground implements Background {
  private readonly running: Promise<void>[] = [];
  run(_label: string, work: () => Promise<void>): void {
    this.running.push(work());
  }
  async idle(): Promise<void> {
    await Promise.all(this.running);
  }
}

function unused(name: string): never {
  throw new Error(`${name} is not part of this test`);
}

/**
 * A directory of users and role assignments in memory, answering as Graph does for what the account
 * actions use: `findUser` by id or UPN (undefined when absent), `deleteUser` 404 when gone, password
 * changes kept per user. `calls` lists the writes in order.
 */
export class MemoryDirectory implements Directory {
  readonly users = new Map<string, DirectoryUser>();
  readonly passwords = new Map<string, string>();
  readonly assignments: RoleAssignment[] = [];
  /** Enterprise applications, as `GET /servicePrincipals?$filter=appId eq …` finds them. */
  readonly servicePrincipals: DirectoryServicePrincipal[] = [];
  readonly calls: string[] = [];
  /** What `readAccountHealth` reads besides users and assignments; a test changes it at will. */
  readonly groupIds = new Map<string, string[]>();
  readonly mfaStates = new Map<string, string>();
  securityDefaultsEnabled = false;
  conditionalAccessPolicies: ConditionalAccessPolicy[] = [];
  domains: TenantDomain[] = [
    { id: 'contoso.com', isVerified: true, isDefault: true, isInitial: false, authenticationType: 'Managed' },
  ];
  /** Runs inside every write before it takes effect: lets a test interleave two stories. */
  beforeWrite: (call: string) => Promise<void> = async () => undefined;

  add(user: DirectoryUser): void {
    this.users.set(user.id, user);
  }
  async organizationId(): Promise<string> {
    return MEMORY_TENANT;
  }
  async readOverview(): Promise<never> {
    return unused('readOverview');
  }
  async findUser(idOrUpn: string): Promise<DirectoryUser | undefined> {
    const wanted = idOrUpn.toLowerCase();
    return [...this.users.values()].find(
      (u) => u.id === idOrUpn || u.userPrincipalName.toLowerCase() === wanted,
    );
  }
  async findUserBySignInName(upnOrMail: string): Promise<DirectoryUser | undefined> {
    return this.findUser(upnOrMail);
  }
  async createUser(): Promise<never> {
    return unused('createUser');
  }
  async updateUser(id: string, changes: { password?: string; accountEnabled?: boolean }): Promise<void> {
    await this.beforeWrite(`updateUser ${id}`);
    const user = this.users.get(id);
    if (user === undefined) throw new AppError('NotFound', 'The user does not exist.');
    if (changes.password !== undefined) this.passwords.set(id, changes.password);
    if (changes.accountEnabled !== undefined) user.accountEnabled = changes.accountEnabled;
    this.calls.push(
      changes.accountEnabled === undefined
        ? `updateUser ${id}`
        : `updateUser ${id} accountEnabled=${changes.accountEnabled}`,
    );
  }
  async deleteUser(id: string): Promise<void> {
    await this.beforeWrite(`deleteUser ${id}`);
    if (!this.users.delete(id)) throw new AppError('NotFound', 'The user does not exist.');
    this.calls.push(`deleteUser ${id}`);
  }
  async listSkus(): Promise<never> {
    return unused('listSkus');
  }
  async assignLicense(): Promise<never> {
    return unused('assignLicense');
  }
  async removeLicense(): Promise<never> {
    return unused('removeLicense');
  }
  async listRoleAssignments(filter: {
    principalId: string;
    roleDefinitionId?: string;
  }): Promise<RoleAssignment[]> {
    return this.assignments.filter(
      (a) =>
        a.principalId === filter.principalId &&
        (filter.roleDefinitionId === undefined || a.roleDefinitionId === filter.roleDefinitionId),
    );
  }
  async createRoleAssignment(principalId: string, roleDefinitionId: string): Promise<RoleAssignment> {
    const assignment = {
      id: `ra-${this.assignments.length + 1}`,
      principalId,
      roleDefinitionId,
      directoryScopeId: '/',
    };
    this.assignments.push(assignment);
    this.calls.push(`createRoleAssignment ${roleDefinitionId}`);
    return assignment;
  }
  async deleteRoleAssignment(id: string): Promise<void> {
    const at = this.assignments.findIndex((a) => a.id === id);
    if (at < 0) throw new AppError('NotFound', 'The assignment does not exist.');
    this.assignments.splice(at, 1);
    this.calls.push(`deleteRoleAssignment ${id}`);
  }
  async isMemberOfGroup(): Promise<boolean> {
    return false;
  }
  async perUserMfaState(userId: string): Promise<string> {
    return this.mfaStates.get(userId) ?? 'disabled';
  }
  /** As Graph would answer it from the data above: a deleted user reads as `user: undefined`. */
  async readAccountHealth(userId: string, domain: string): Promise<DirectoryAccountReading> {
    const user = this.users.get(userId);
    return {
      user:
        user === undefined
          ? undefined
          : {
              id: user.id,
              userPrincipalName: user.userPrincipalName,
              accountEnabled: user.accountEnabled,
              passwordPolicies: user.passwordPolicies ?? '',
              skuIds: user.assignedLicenses.map((l) => l.skuId),
            },
      groupIds: user === undefined ? [] : [...(this.groupIds.get(userId) ?? [])],
      roleDefinitionIds: [
        ...new Set(
          this.assignments
            .filter((a) => a.principalId === userId && a.directoryScopeId === '/')
            .map((a) => a.roleDefinitionId),
        ),
      ],
      securityDefaultsEnabled: this.securityDefaultsEnabled,
      conditionalAccessPolicies: this.conditionalAccessPolicies.map((p) => ({ ...p })),
      domain: this.domains.find((d) => d.id.toLowerCase() === domain.toLowerCase()),
      perUserMfaState: user === undefined ? 'disabled' : await this.perUserMfaState(userId),
    };
  }
  async findServicePrincipal(appId: string): Promise<DirectoryServicePrincipal | undefined> {
    return this.servicePrincipals.find((sp) => sp.appId.toLowerCase() === appId.toLowerCase());
  }
}

/** Azure Key Vault in memory: every secret version stored, newest last; `failNext` makes the next store throw. */
export class MemoryKeyVault implements PasswordHandOver {
  readonly vaultUrl = 'https://contoso-bot.vault.azure.net';
  readonly secretExpiryMs = 7 * 86_400_000;
  readonly versions: { name: string; value: string; requestId: string; version: string }[] = [];
  failNext: AppError | undefined;

  async store(input: { name: string; value: string; requestId: string; expiresOn: Date }) {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
    const version = `v${this.versions.length + 1}`;
    this.versions.push({ name: input.name, value: input.value, requestId: input.requestId, version });
    return { name: input.name, version, id: `${this.vaultUrl}/secrets/${input.name}/${version}` };
  }
  secretName(upn: string, requestId: string): string {
    return `sab-${upn.replace(/[^0-9a-zA-Z]+/g, '-')}-${requestId.replace(/[^0-9a-zA-Z]/g, '').slice(0, 8)}`.toLowerCase();
  }
  /** The newest value stored under `name`. */
  latest(name: string): string | undefined {
    return this.versions.filter((v) => v.name === name).at(-1)?.value;
  }
}

/**
 * Exchange in memory: who holds ApplicationImpersonation as `-GetEffectiveUsers` reports them, and
 * what `readAccountHealth` finds: role-group members, mailboxes and public-folder rights by lower-case
 * UPN, app roles by app id.
 */
export class MemoryExchange implements Exchange {
  impersonators: string[] = [];
  readonly roleGroupMembers = new Map<string, string[]>();
  readonly mailboxes = new Set<string>();
  readonly publicFolderRights = new Map<string, string[]>();
  readonly appRoles = new Map<string, { role: string; scope?: string }[]>();
  /** Each `readAccountHealth` query, in order. */
  readonly healthQueries: ExchangeAccountQuery[] = [];
  async readAccountHealth(query: ExchangeAccountQuery): Promise<ExchangeAccountReading> {
    this.healthQueries.push({ ...query });
    const user = query.user.toLowerCase();
    const reading: ExchangeAccountReading = {};
    if (query.roleGroup !== undefined) {
      const members = this.roleGroupMembers.get(query.roleGroup) ?? [];
      reading.roleGroupMember = members.some((m) => m.toLowerCase() === user);
    }
    if (query.mailbox === true) reading.mailbox = this.mailboxes.has(user);
    if (query.publicFolder !== undefined) {
      const rights = this.publicFolderRights.get(user);
      reading.publicFolderRights = rights === undefined ? null : [...rights];
    }
    if (query.appId !== undefined) reading.appRoles = [...(this.appRoles.get(query.appId) ?? [])];
    return reading;
  }
  async effectiveRoleUsers(): Promise<string[]> {
    return [...this.impersonators];
  }
  async readOverview(): Promise<never> {
    return unused('Exchange readOverview');
  }
  async getRoleGroup(): Promise<undefined> {
    return undefined;
  }
  async newRoleGroup(): Promise<never> {
    return unused('Exchange newRoleGroup');
  }
  async addRoleGroupMember(): Promise<never> {
    return unused('Exchange addRoleGroupMember');
  }
  async recipientExists(): Promise<boolean> {
    return true;
  }
  async mailboxExists(): Promise<boolean> {
    return false;
  }
  async publicFolderAccess(): Promise<undefined> {
    return undefined;
  }
  async addPublicFolderPermission(): Promise<never> {
    return unused('Exchange addPublicFolderPermission');
  }
}

/** Exchange's app registrations, scopes and assignments in memory; `writes` lists every write. */
export class MemoryAppAccess implements ExchangeAppAccess {
  principals: ExchangeServicePrincipal[] = [];
  scopes: { name: string; filter: string }[] = [];
  assignments: { name: string; appId: string; role: string; scope?: string }[] = [];
  writes: string[] = [];
  /** Members of the scope's group, for Test-ServicePrincipalAuthorization -Resource. */
  inScope = new Set<string>();
  /** Runs before each write: a test may make a parallel run land first. */
  beforeWrite: (write: string) => void = () => undefined;

  async getServicePrincipal(appId: string) {
    return this.principals.find((p) => p.appId === appId);
  }
  async newServicePrincipal(principal: ExchangeServicePrincipal) {
    this.beforeWrite('New-ServicePrincipal');
    if (this.principals.some((p) => p.appId === principal.appId))
      throw new AppError('Conflict', 'The service principal already exists.');
    this.principals.push(principal);
    this.writes.push('New-ServicePrincipal');
  }
  async getManagementScope(name: string) {
    return this.scopes.find((s) => s.name === name);
  }
  async newManagementScope(name: string, filter: string) {
    this.beforeWrite('New-ManagementScope');
    if (this.scopes.some((s) => s.name === name)) throw new AppError('Conflict', 'The scope already exists.');
    this.scopes.push({ name, filter });
    this.writes.push('New-ManagementScope');
  }
  async appRoleAssignments(appId: string) {
    return this.assignments.filter((a) => a.appId === appId);
  }
  async newAppRoleAssignment(assignment: {
    name: string;
    servicePrincipalId: string;
    role: string;
    scope?: string;
  }) {
    const { role, scope } = assignment;
    this.beforeWrite(`New-ManagementRoleAssignment ${role}`);
    const principal = this.principals.find((p) => p.objectId === assignment.servicePrincipalId);
    if (principal === undefined) throw new AppError('NotFound', 'The app is not registered.');
    if (this.assignments.some((a) => a.name === assignment.name))
      throw new AppError('Conflict', 'The assignment name is taken.');
    this.assignments.push({
      name: assignment.name,
      appId: principal.appId,
      role,
      ...(scope === undefined ? {} : { scope }),
    });
    this.writes.push(`New-ManagementRoleAssignment ${role}`);
  }
  async testAppAuthorization(appId: string, resource?: string) {
    return this.assignments
      .filter((a) => a.appId === appId)
      .map((a) => ({
        role: a.role,
        ...(resource === undefined ? {} : { inScope: a.scope === undefined || this.inScope.has(resource) }),
      }));
  }
}

export type MemoryServices = Services & {
  storage: Storage;
  notifier: RecordingNotifier;
  scheduler: RecordingScheduler;
  provisioning: RecordingScheduler;
  background: InlineBackground;
  directory: MemoryDirectory;
  exchange: MemoryExchange;
  appAccess: MemoryAppAccess;
  passwords: PasswordVault;
  /** Moves the services' clock. */
  setNow(at: Date): void;
};

export function memoryServices(start = new Date('2026-11-26T12:00:00Z')): MemoryServices {
  let now = start;
  const storage = new ListingMemoryStorage();
  const scheduler = new RecordingScheduler();
  let passwordCount = 0;
  return {
    storage,
    tenantId: MEMORY_TENANT,
    requests: new StorageRequestStore(storage),
    audit: new StorageAuditLog(storage, undefined, { now: () => now }),
    notifier: new RecordingNotifier(),
    scheduler,
    provisioning: scheduler,
    passwords: new PasswordVault(storage, new SecretBox(randomBytes(32))),
    health: new StorageHealthRecords(storage),
    directory: new MemoryDirectory(),
    exchange: new MemoryExchange(),
    appAccess: new MemoryAppAccess(),
    patience: { clock: { now: () => now.getTime(), sleep: async () => undefined }, ...DEFAULT_PATIENCE },
    background: new InlineBackground(),
    now: () => now,
    newPassword: () => `Memory-Password-${++passwordCount}!`,
    settings: {
      approvalExpiryMs: 24 * 3_600_000,
      passwordRevealMs: 30 * 60_000,
      downgradeRoleId: ROLE.serviceSupportAdministrator,
      globalAdminReminderMs: 24 * 3_600_000,
      healthCheckMs: 24 * 3_600_000,
      globalAdminFlagMs: 7 * 24 * 3_600_000,
      replication: { timeoutMs: 4 * 3_600_000, settleMs: 0, pollMs: 60_000, confirmations: 2 },
    },
    setNow(at: Date) {
      now = at;
    },
  };
}
