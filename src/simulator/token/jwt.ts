import { constants, createSign, createVerify, type KeyObject } from 'node:crypto';
import { isRecord, parseJson, type JsonObject } from '../http/jsonValue';

/** A compact JWS split into its parts; header and payload are parsed but not yet trusted. */
export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  const header = parseJson(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const payload = parseJson(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (!header.ok || !payload.ok || !isRecord(header.value) || !isRecord(payload.value)) return undefined;
  return {
    header: header.value,
    payload: payload.value,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

export function signJwtRs256(header: JsonObject, payload: JsonObject, privateKey: KeyObject): string {
  const encode = (value: JsonObject): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ ...header, alg: 'RS256' })}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Verifies an RS256 or PS256 signature (MSAL signs client assertions with PS256 when it has a SHA-256 thumbprint). */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = jwt.header.alg;
  try {
    if (alg === 'RS256') {
      return createVerify('RSA-SHA256').update(jwt.signingInput).verify(publicKey, jwt.signature);
    }
    if (alg === 'PS256') {
      return createVerify('RSA-SHA256').update(jwt.signingInput).verify(
        {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        jwt.signature,
      );
    }
  } catch {
    return false;
  }
  return false;
}

export function numberClaim(payload: JsonObject, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
