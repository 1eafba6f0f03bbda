/**
 * Telemetry: the Application Insights connection string, and the environment the Azure Monitor
 * library reads for itself, set before it loads: the service name (the cloud role name in
 * Application Insights) and no SDK usage reports ("statsbeat", sent to a Microsoft host).
 */
import type { SettingsReader } from './reader';
import { SERVICE_NAME } from '../telemetry/tracing';

export interface TelemetrySettings {
  /** Application Insights connection string; unset = no telemetry at all. */
  telemetryConnectionString?: string;
}

const INSTRUMENTATION_KEY =
  /(?:^|;)\s*InstrumentationKey\s*=\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*(;|$)/i;

export function readTelemetry(r: SettingsReader): TelemetrySettings {
  const connectionString = r.read('APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString !== undefined && !INSTRUMENTATION_KEY.test(connectionString)) {
    r.problem(
      'APPLICATIONINSIGHTS_CONNECTION_STRING: must be an Application Insights connection string (InstrumentationKey=<GUID>;IngestionEndpoint=https://…), as the resource’s Overview page shows it',
    );
  }
  return { telemetryConnectionString: connectionString };
}

/** Sets what the Azure Monitor library reads from `env` (the process environment) before it starts. */
export function prepareTelemetryEnvironment(env: Record<string, string | undefined> = process.env): void {
  env.OTEL_SERVICE_NAME ??= SERVICE_NAME;
  env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
}
