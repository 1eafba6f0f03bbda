/** The test TLS fixtures, and the check that this jest run trusts the test CA. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DIR = resolve(__dirname, '../fixtures/tls');

export const tls = {
  caPath: join(DIR, 'ca.pem'),
  key: readFileSync(join(DIR, 'server-key.pem'), 'utf8'),
  cert: readFileSync(join(DIR, 'server.pem'), 'utf8'),
  /** Client certificate and private key in one PEM (what ClientCertificateCredential reads). */
  clientPemPath: join(DIR, 'client.pem'),
  clientCertificate: readFileSync(join(DIR, 'client-cert.pem'), 'utf8'),
};

/**
 * Node reads NODE_EXTRA_CA_CERTS once, at start-up; MSAL and fetch then trust the test CA. Throws a
 * clear message when the variable is missing or names another file.
 */
export function assertTestCaTrusted(): void {
  const configured = process.env.NODE_EXTRA_CA_CERTS;
  const expected = readFileSync(tls.caPath, 'utf8').trim();
  let actual = '';
  try {
    actual = configured === undefined ? '' : readFileSync(resolve(configured), 'utf8');
  } catch {
    actual = '';
  }
  if (!actual.includes(expected)) {
    throw new Error(
      `The HTTPS simulator tests need the test CA trusted at process start: run jest with ` +
        `NODE_EXTRA_CA_CERTS=test/fixtures/tls/ca.pem (from the repository root). ` +
        `Currently NODE_EXTRA_CA_CERTS=${configured ?? '(unset)'}.`,
    );
  }
}
