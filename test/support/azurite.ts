/**
 * Azurite's blob and table services on free loopback ports, in memory, for tests of STORAGE=azure
 * (src/tools/azuriteProcess.ts starts it). Start it in `beforeAll`, stop it in `afterAll`;
 * `connectionString` names both endpoints.
 */
import path from 'node:path';
import { type AzuriteProcess, startAzuriteProcess } from '../../src/tools/azuriteProcess';

const TLS = path.join(__dirname, '..', 'fixtures', 'tls');

export type Azurite = AzuriteProcess;

export interface AzuriteOptions {
  /**
   * HTTPS with the test certificate and bearer tokens checked the way Azure checks their claims
   * (`--oauth basic`: issuer, audience, lifetime; not the signature), as a managed identity would be.
   */
  oauth?: boolean;
  timeoutMs?: number;
  /** Starts it again where a stopped one listened (its data is gone: it is in memory). */
  ports?: { port: number; tablePort: number };
}

export function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  return startAzuriteProcess({
    timeoutMs: options.timeoutMs,
    ports: options.ports,
    ...(options.oauth === true
      ? { tls: { certPath: path.join(TLS, 'server.pem'), keyPath: path.join(TLS, 'server-key.pem') } }
      : {}),
  });
}
