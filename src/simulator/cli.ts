/**
 * Starts the tenant simulator for a human: `node dist/src/simulator/cli.js --scenario classic --port 5300`.
 * Prints the URL and the client credential; stops on Ctrl+C. Reads its settings from argv only.
 */
import { readFileSync } from 'node:fs';
import { AGENTS_PLAYGROUND_TENANT_ID, SIMULATOR_SCENARIOS, type SimulatorScenario } from './scenarios';
import { startTenantSimulator } from './tenantSimulator';

const SCENARIOS: readonly SimulatorScenario[] = SIMULATOR_SCENARIOS;
const USAGE = `Usage: node dist/src/simulator/cli.js [--scenario ${SCENARIOS.join('|')}] [--port N] [--tenant ID]
       [--https-key key.pem --https-cert cert.pem] [--recipient-ms N] [--mailbox-ms N] [--replication-ms N]
       [--state-file tenant.json]`;

export interface CliSettings {
  scenario: SimulatorScenario;
  port: number;
  tenantId: string;
  httpsKey?: string;
  httpsCert?: string;
  delays: { exchangeRecipientMs?: number; mailboxMs?: number; replicationMs?: number };
  /** Keep the tenant in this file across restarts. */
  stateFile?: string;
}

/** Parses the command line; throws with the usage text on anything it does not understand. */
export function parseCliArguments(argv: readonly string[]): CliSettings {
  const settings: CliSettings = {
    scenario: 'classic',
    port: 5300,
    tenantId: AGENTS_PLAYGROUND_TENANT_ID,
    delays: {},
  };
  const number = (flag: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`${flag} needs a whole number\n${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    i += 1;
    switch (flag) {
      case '--scenario': {
        const scenario = SCENARIOS.find((candidate) => candidate === value);
        if (scenario === undefined)
          throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}\n${USAGE}`);
        settings.scenario = scenario;
        break;
      }
      case '--port':
        settings.port = number(flag, value);
        break;
      case '--tenant':
        if (value === undefined) throw new Error(`--tenant needs a value\n${USAGE}`);
        settings.tenantId = value;
        break;
      case '--https-key':
        settings.httpsKey = value;
        break;
      case '--https-cert':
        settings.httpsCert = value;
        break;
      case '--recipient-ms':
        settings.delays.exchangeRecipientMs = number(flag, value);
        break;
      case '--mailbox-ms':
        settings.delays.mailboxMs = number(flag, value);
        break;
      case '--replication-ms':
        settings.delays.replicationMs = number(flag, value);
        break;
      case '--state-file':
        if (value === undefined) throw new Error(`--state-file needs a path\n${USAGE}`);
        settings.stateFile = value;
        break;
      default:
        throw new Error(`Unknown argument ${flag}\n${USAGE}`);
    }
  }
  if ((settings.httpsKey === undefined) !== (settings.httpsCert === undefined)) {
    throw new Error(`--https-key and --https-cert go together\n${USAGE}`);
  }
  return settings;
}

async function main(): Promise<void> {
  const settings = parseCliArguments(process.argv.slice(2));
  const https =
    settings.httpsKey !== undefined && settings.httpsCert !== undefined
      ? { key: readFileSync(settings.httpsKey, 'utf8'), cert: readFileSync(settings.httpsCert, 'utf8') }
      : undefined;
  const simulator = await startTenantSimulator({
    tenantId: settings.tenantId,
    scenario: settings.scenario,
    port: settings.port,
    https,
    delays: settings.delays,
    stateFile: settings.stateFile,
  });
  process.stdout.write(
    [
      `Tenant simulator (${settings.scenario}) listening on ${simulator.url}`,
      `  tenant id:      ${simulator.tenantId}`,
      `  Graph:          ${simulator.graphEndpoint}/v1.0`,
      `  Exchange:       ${simulator.exchangeEndpoint}/adminapi/beta/${simulator.tenantId}/InvokeCommand`,
      `  token endpoint: ${simulator.authorityHost}/${simulator.tenantId}/oauth2/v2.0/token`,
      `  client id:      ${simulator.clientCredential.clientId}`,
      `  client secret:  ${simulator.clientCredential.clientSecret}`,
      `  kept in:        ${settings.stateFile ?? '(memory only)'}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
