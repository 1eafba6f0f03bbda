/**
 * Starts OpenTelemetry with the Azure Monitor exporter when an Application Insights connection string
 * is set, and does nothing otherwise: without it `@azure/monitor-opentelemetry` is never loaded, no
 * exporter starts, and the OpenTelemetry API stays a no-op. The bot's spans are explicit (tracing.ts),
 * so the HTTP auto-instrumentation stays off and nothing depends on what was loaded before this starts.
 * Everything is sampled (a bot sees few turns); live metrics stay off (they stream to a Microsoft
 * host); the SDK's own usage reports are off too (config/telemetry.ts sets that before this runs), so
 * telemetry goes to the configured resource and nowhere else.
 */
import path from 'node:path';

export interface Telemetry {
  readonly enabled: boolean;
  /** For the start-up log: `off`, or where telemetry goes. */
  readonly describe: string;
  /**
   * Exports what is buffered (spans, metrics) and stops, waiting at most `graceMs` for the ingestion
   * endpoint (what is not sent by then is lost); safe to call twice.
   */
  shutdown(graceMs?: number): Promise<void>;
}

const OFF: Telemetry = { enabled: false, describe: 'off', shutdown: async () => undefined };

/** Default wait for the last export at shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

/** The ingestion host a connection string names, for the start-up log (no key in it). */
export function ingestionHost(connectionString: string): string {
  const endpoint = /(?:^|;)\s*IngestionEndpoint\s*=\s*([^;]+)/i.exec(connectionString)?.[1];
  if (endpoint === undefined) return 'the default ingestion endpoint';
  try {
    return new URL(endpoint.trim()).host;
  } catch {
    return 'the default ingestion endpoint';
  }
}

/**
 * The distribution always asks the Azure VM metadata address (169.254.169.254) what machine it runs
 * on. The bot runs on App Service (detected from its environment, without a call); this makes the
 * VM probe answer "not a VM" at once, so the bot calls nothing but the ingestion endpoint.
 */
async function skipAzureVmProbe(): Promise<void> {
  const distribution = path.dirname(require.resolve('@azure/monitor-opentelemetry'));
  const detectors = (await import(
    require.resolve('@opentelemetry/resource-detector-azure', { paths: [distribution] })
  )) as { azureVmDetector?: { detect?: unknown } };
  const vm = detectors.azureVmDetector;
  if (vm !== undefined && typeof vm.detect === 'function') vm.detect = () => ({ attributes: {} });
}

export async function startTelemetry(connectionString: string | undefined): Promise<Telemetry> {
  if (connectionString === undefined) return OFF;
  await skipAzureVmProbe();
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    samplingRatio: 1,
    tracesPerSecond: 0,
    enableLiveMetrics: false,
    instrumentationOptions: {
      http: { enabled: false },
      azureSdk: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  });
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    describe: `Application Insights via ${ingestionHost(connectionString)}`,
    shutdown(graceMs = SHUTDOWN_GRACE_MS) {
      stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        shutdownAzureMonitor()
          .catch(() => undefined)
          .finally(() => {
            clearTimeout(timer);
            resolve();
          });
      });
      return stopped;
    },
  };
}
