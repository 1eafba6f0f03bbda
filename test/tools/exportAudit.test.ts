import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStorage } from '../../src/adapters/storage/createStorage';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { exportAudit, parseExportArgs } from '../../src/tools/exportAudit';

const TENANT = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

describe('audit export', () => {
  it('when the trail has records, then they come out as JSON lines, oldest first, without anything else', async () => {
    const settings = {
      kind: 'sqlite' as const,
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sab-export-')),
    };
    const store = createStorage(settings);
    const log = new StorageAuditLog(store.storage);
    const actor = { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
    await log.append({
      requestId: 'r1',
      tenantId: TENANT,
      event: 'submitted',
      actor,
      at: '2026-11-26T10:00:00Z',
      outcome: 'PendingApproval',
    });
    await log.append({
      requestId: 'r1',
      tenantId: TENANT,
      event: 'cancelled',
      actor,
      at: '2026-11-26T10:05:00Z',
      outcome: 'Cancelled',
    });
    await store.close();

    const lines: string[] = [];
    const count = await exportAudit({
      storage: settings,
      tenantId: TENANT,
      limit: 100,
      write: (l) => lines.push(l),
    });
    expect(count).toBe(2);
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['submitted', 'cancelled']);
    expect(JSON.parse(lines[0])).toEqual({
      requestId: 'r1',
      tenantId: TENANT,
      event: 'submitted',
      actor,
      at: '2026-11-26T10:00:00.000Z',
      outcome: 'PendingApproval',
    });
  });

  it.each([
    [['--tenant', 'contoso.com'], /must be the tenant's id/],
    [['--limit', '-3'], /Unknown or incomplete argument "--limit"/],
    [['--everything'], /Usage: npm run audit:export/],
  ])('when the arguments are %j, then the error says what is wrong', (argv, message) => {
    const parsed = parseExportArgs(argv);
    expect('error' in parsed && parsed.error).toMatch(message);
  });

  it('when no arguments are given, then the configured tenant and a large limit are used', () => {
    expect(parseExportArgs([])).toEqual({ tenant: undefined, limit: 100_000 });
    expect(parseExportArgs(['--tenant', TENANT, '--limit', '50'])).toEqual({ tenant: TENANT, limit: 50 });
  });
});
