/**
 * The tenant gate, before any state is read: only activities from the bot's own tenant (or one of
 * `ALLOWED_TENANT_IDS`) get through, and in live mode only from Teams. A refusal is logged and
 * audited with the tenant, channel and time — never the payload — at most once a minute per source
 * and at most ten a minute in all, so a flood (even from ever-new tenant ids) cannot grow the audit
 * trail without bound.
 */
import type { TurnContext } from 'botbuilder';
import { tenantOf } from '../teams/conversationReferences';
import type { Logger } from '../logger';
import type { RefusalAudit } from './refusalAudit';

export interface TenantGateOptions {
  /** The tenant the bot serves (its GUID). */
  tenantId: string;
  /** Further tenants whose activities are accepted. */
  allowedTenantIds: readonly string[];
  /** Live mode: only the `msteams` channel. */
  teamsOnly: boolean;
  refusals: RefusalAudit;
  logger: Logger;
}

function safeId(value: string | undefined): string {
  return (value ?? '').replace(/[^A-Za-z0-9._:@-]/g, '?').slice(0, 64) || '(none)';
}

export class TenantGate {
  private readonly allowed: Set<string>;

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
    this.options.logger.warn('Activity refused by the tenant gate', { tenant, channel });
    await this.options.refusals.record(`tenant|${tenant}|${channel}`, {
      requestId: 'tenant-gate',
      tenantId: this.options.tenantId,
      event: 'activityRefused',
      actor: { aadObjectId: actor, name: '' },
      outcome: 'refused',
      detail: `tenant ${tenant}, channel ${channel}`,
    });
  }
}
