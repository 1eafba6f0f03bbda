/**
 * Refusals worth an audit record (a foreign tenant's activity, a press on someone else's form or
 * button), written at most once a minute per source and at most `perMinute` a minute in all, so a
 * flood — even from ever-new sources — cannot grow the audit trail without bound.
 */
import type { AuditRecord } from '../domain/request';
import type { AuditLog } from '../domain/requestPorts';
import type { Logger } from '../logger';

const AUDIT_EVERY_MS = 60_000;
const MAX_SOURCES_REMEMBERED = 1_000;

export class RefusalAudit {
  private readonly lastAudited = new Map<string, number>();
  private window = { startedAt: 0, audited: 0 };

  constructor(
    private readonly options: {
      audit: AuditLog;
      logger: Logger;
      now: () => Date;
      /** Audit records per minute in all; refusals past it are logged only. */
      perMinute: number;
    },
  ) {}

  /** Audits `record` unless `source` was audited within the minute or the minute's quota is used. */
  async record(source: string, record: Omit<AuditRecord, 'at'>): Promise<void> {
    const now = this.options.now();
    const last = this.lastAudited.get(source);
    if (last !== undefined && now.getTime() - last < AUDIT_EVERY_MS) return;
    if (now.getTime() - this.window.startedAt >= AUDIT_EVERY_MS)
      this.window = { startedAt: now.getTime(), audited: 0 };
    if (this.window.audited >= this.options.perMinute) return;
    this.window.audited += 1;
    if (this.lastAudited.size >= MAX_SOURCES_REMEMBERED) this.lastAudited.clear();
    this.lastAudited.set(source, now.getTime());
    try {
      await this.options.audit.append({ ...record, at: now.toISOString() });
    } catch (error) {
      this.options.logger.error('Could not audit a refusal', { event: record.event, error });
    }
  }
}
