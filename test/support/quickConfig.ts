/**
 * Settings for a bot started inside a test: any free port, quiet logs, a one-second shutdown grace,
 * and a simulated Exchange that replicates in about a second with no settle time.
 */
import { type Config, loadConfig } from '../../src/config';

export function quickConfig(dataDir: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_SECONDS: '1',
    SIMULATOR_REPLICATION_SECONDS: '1',
    REPLICATION_SETTLE_MINUTES: '0',
    REPLICATION_POLL_SECONDS: '0.2',
    ...extra,
  });
}
