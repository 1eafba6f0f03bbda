import { aad } from './aadErrors';
import type { RegisteredClient } from './clientRegistry';
import { decodeJwt, numberClaim, verifyJwtSignature } from './jwt';

const SKEW_SECONDS = 300;

/**
 * Checks a certificate credential's client assertion the way Entra does: a JWT signed (RS256/PS256) by
 * a certificate registered on the app, named by its `x5t` or `x5t#S256` thumbprint, with `iss` = `sub`
 * = the client id, `aud` = the token endpoint, and a current `nbf`/`exp`. Throws an `AadError`.
 */
export function verifyClientAssertion(
  client: RegisteredClient,
  assertion: string,
  acceptedAudiences: readonly string[],
  nowSeconds: number,
): void {
  const jwt = decodeJwt(assertion);
  if (jwt === undefined) throw aad.malformedAssertion();
  const x5tS256 = jwt.header['x5t#S256'];
  const x5t = jwt.header.x5t;
  const thumbprint = typeof x5tS256 === 'string' ? x5tS256 : typeof x5t === 'string' ? x5t : undefined;
  if (thumbprint === undefined) throw aad.malformedAssertion();
  const registered = client.certificates.find((candidate) =>
    typeof x5tS256 === 'string' ? candidate.x5tS256 === x5tS256 : candidate.x5t === x5t,
  );
  const thumbprintHex = Buffer.from(thumbprint, 'base64url').toString('hex').toUpperCase();
  if (registered === undefined) throw aad.unknownCertificate(thumbprintHex, client.clientId);
  if (!verifyJwtSignature(jwt, registered.certificate.publicKey)) throw aad.badSignature();

  const { iss, sub, aud } = jwt.payload;
  if (iss !== client.clientId || sub !== client.clientId) throw aad.assertionSubject();
  const audience = typeof aud === 'string' ? aud : '';
  if (!acceptedAudiences.some((accepted) => accepted.toLowerCase() === audience.toLowerCase())) {
    throw aad.assertionAudience(audience);
  }
  const exp = numberClaim(jwt.payload, 'exp');
  const nbf = numberClaim(jwt.payload, 'nbf') ?? 0;
  if (exp === undefined || nowSeconds >= exp + SKEW_SECONDS || nowSeconds + SKEW_SECONDS < nbf) {
    throw aad.assertionTime();
  }
  const validTo = Date.parse(registered.certificate.validTo) / 1000;
  if (nowSeconds > validTo) throw aad.assertionTime();
}
