import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import { startCrashRig, tapCallLog } from '../support/crashHarness';

describe('probe', () => {
  let untap: () => void;
  beforeAll(() => {
    assertTestCaTrusted();
    untap = tapCallLog();
  });
  afterAll(() => untap());
  it('baseline', async () => {
    const t0 = Date.now();
    const rig = await startCrashRig();
    try {
      await rig.startBot();
      const t1 = Date.now();
      const req = await rig.submitRequest();
      const t2 = Date.now();
      await rig.approve(req);
      await rig.waitForReady(30_000);
      const t3 = Date.now();
      console.log({ start: t1 - t0, submit: t2 - t1, provision: t3 - t2 });
      console.log(rig.sim.calls().map((c) => `${c.seq} ${c.api} ${c.method} ${c.path} ${c.cmdlet ?? ''} ${c.status} m=${c.mutating} c=${c.committed}`).join('\n'));
      console.log(rig.committedWrites());
      console.log(await rig.stored(req.requestId));
    } finally {
      await rig.close();
    }
  }, 60_000);
});
