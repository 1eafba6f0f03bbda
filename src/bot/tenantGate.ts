/**
 * The tenant gate, before any state is read: only activities from the bot's own tenant (or one of
 * `ALLOWED_TENANT_IDS`) get through, and in live mode only from Teams. A refusal is logged and
 * audited with the tenant, channel and time — never the payload — at most once a minute per source
 * and at most ten a minute in all, so a flood (even from ever-new tenant ids) cannot grow the audit
 * trail without bound.
 */
import type { TurnContext } from 'botbuilder';
import { tenantOf } from '../adapters/teams/conversationReferences';
import type { AuditLog } from '../domain/requestPorts';
import type { Logger } from '../logger';

export interface TenantGateOptions {
  /** The tenant the bot serves (its GUID). */
  tenantId: string;
  /** Further tenants whose activities are accepted. */
  allowedTenantIds: readonly string[];
  /** Live mode: only the `msteams` channel. */
  teamsOnly: boolean;
  audit: AuditLog;
  logger: Logger;
  now: () => Date;
}

const AUDIT_EVERY_MS = 60_000;
const AUDITS_PER_MINUTE = 10;
const MAX_SOURCES_REMEMBERED = 1_000;

function safeId(value: string | undefined): string {
  return (value ?? '').replace(/[^A-Za-z0-9._:@-]/g, '?').slice(0, 64) || '(none)';
}

export class TenantGate {
  private readonly allowed: Set<string>;
  private readonly lastAudited = new Map<string, number>();
  private window = { startedAt: 0, audited: 0 };

  constructor(private readonly options: TenantGateOptions) {
    this.allowed = new Set([options.tenantId, ...options.allowedTenantIds].map((t) => t.toLowerCase()));
  }

  /** True when the activity may be handled. */
  async admit(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    const tenant = tenantOf(activity)?.toLowerCase();
    const channelOk = !this.options.teamsOnly || activity.channelId === 'msteams';
    if (tenant !== undefined && this.allowed.has(tenant) && channelOk) return true;
    await this.refuse(safeId(tenant), safeId(activity.channelId), safeId(activity.from?.aadObjectId));
    return false;
  }

  private async refuse(tenant: string, channel: string, actor: string): Promise<void> {
    const source = `${tenant}|${channel}`;
    const now = this.options.now();
    this.options.logger.warn('Activity refused by the tenant gate', { tenant, channel });
    const last = this.lastAudited.get(source);
    if (last !== undefined && now.getTime() - last < AUDIT_EVERY_MS) return;
    if (now.getTime() - this.window.startedAt >= AUDIT_EVERY_MS)
      this.window = { startedAt: now.getTime(), audited: 0 };
    if (this.window.audited >= AUDITS_PER_MINUTE) return;
    this.window.audited += 1;
    if (this.lastAudited.size >= MAX_SOURCES_REMEMBERED) this.lastAudited.clear();
    this.lastAudited.set(source, now.getTime());
    try {
      await this.options.audit.append({
        requestId: 'tenant-gate',
        tenantId: this.options.tenantId,
        event: 'activityRefused',
        actor: { aadObjectId: actor, name: '' },
        at: now.toISOString(),
        outcome: 'refused',
        detail: `tenant ${tenant}, channel ${channel}`,
      });
    } catch (error) {
      this.options.logger.error('Could not audit a refused activity', { error });
    }
  }
}
