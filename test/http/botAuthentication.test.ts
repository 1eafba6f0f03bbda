/**
 * Bot Framework authentication with a bot registration (BOT_ID set): every request must carry a token
 * signed by a key the OpenID metadata publishes, endorsed for the channel, for this bot's app id, from
 * the expected issuer, not expired, and naming the activity's service URL. Here the metadata and keys
 * come from a local issuer on loopback (BOT_OPENID_METADATA_URL), the tokens are signed by the test.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBot } from '../../src/index';
import { ALEX, teamsCardAction, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';

const APP_ID = '7d1e0c3b-5a2f-4e6d-8c9b-0a1b2c3d4e5f';
const ISSUER = 'https://api.botframework.test';

interface Issuer {
  url: string;
  close(): Promise<void>;
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

function jwk(key: KeyObject, kid: string, endorsements: string[]) {
  const exported = key.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid, n: exported.n, e: exported.e, endorsements };
}

function sign(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(privateKey).toString('base64url')}`;
}

async function startIssuer(keys: object[]): Promise<Issuer> {
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({
          issuer: ISSUER,
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Bot Framework authentication (BOT_ID set)', () => {
  const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceUrl = 'https://smba.trafficmanager.net/amer/';
  let issuer: Issuer;
  let running: TestBot;
  let bot: RunningBot;
  let url: string;

  beforeAll(async () => {
    issuer = await startIssuer([
      jwk(trusted.publicKey, 'trusted', ['msteams', 'webchat']),
      jwk(stranger.publicKey, 'webchat-only', ['webchat']),
    ]);
    // Nobody is known: the harness's own messages carry no token, and the tests sign their own.
    running = await startTestBot({
      settings: {
        BIND_ADDRESS: '127.0.0.1',
        BOT_ID: APP_ID,
        BOT_PASSWORD: 'not-used-by-these-tests',
        BOT_TENANT_ID: 'b3c1f7a2-0d4e-4f5a-9b6c-7d8e9f0a1b2c',
        BOT_OPENID_METADATA_URL: issuer.url,
        BOT_TOKEN_ISSUER: ISSUER,
      },
      known: [],
    });
    bot = running.bot;
    url = `${running.url}/api/messages`;
  });
  afterAll(async () => {
    await running?.close();
    await issuer?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const goodClaims = () => ({
    iss: ISSUER,
    aud: APP_ID,
    serviceurl: serviceUrl,
    nbf: now() - 60,
    exp: now() + 3600,
  });

  /** An invoke with an unknown verb: the bot itself answers 400 once the request is authenticated. */
  async function post(authorization: string | undefined): Promise<number> {
    const activity = teamsCardAction(serviceUrl, 'no.such.verb', {}, { from: ALEX });
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify(activity),
    });
    return response.status;
  }

  it('when the token is valid, then the request reaches the bot', async () => {
    expect(await post(`Bearer ${sign(trusted.privateKey, 'trusted', goodClaims())}`)).toBe(400);
  });

  it.each([
    ['there is no Authorization header', () => undefined],
    ['the header is not a bearer token', () => 'Basic YWxleDpwYXNzd29yZA=='],
    ['the token is not a JWT', () => 'Bearer not-a-token'],
    [
      'the token is for another bot',
      () =>
        `Bearer ${sign(trusted.privateKey, 'trusted', { ...goodClaims(), aud: '11111111-2222-3333-4444-555555555555' })}`,
    ],
    [
      'the token is from another issuer',
      () =>
        `Bearer ${sign(trusted.privateKey, 'trusted', { ...goodClaims(), iss: 'https://sts.windows.net/evil/' })}`,
    ],
    [
      'the token expired an hour ago',
      () =>
        `Bearer ${sign(trusted.privateKey, 'trusted', { ...goodClaims(), nbf: now() - 7200, exp: now() - 3600 })}`,
    ],
    [
      'the token names another service URL',
      () =>
        `Bearer ${sign(trusted.privateKey, 'trusted', { ...goodClaims(), serviceurl: 'https://evil.example.com/' })}`,
    ],
    [
      'the token is signed by a key the metadata does not publish',
      () => `Bearer ${sign(stranger.privateKey, 'trusted', goodClaims())}`,
    ],
    [
      'the signing key is not endorsed for Teams',
      () => `Bearer ${sign(stranger.privateKey, 'webchat-only', goodClaims())}`,
    ],
    ['the token names an unknown key', () => `Bearer ${sign(trusted.privateKey, 'nobody', goodClaims())}`],
  ])('when %s, then the request is refused with 401 before any turn', async (_case, header) => {
    const stored = await bot.conversations.get(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(await post(header())).toBe(401);
    // Nothing was remembered from the refused activity.
    expect(await bot.conversations.get(TEST_TENANT_ID, ALEX.aadObjectId)).toEqual(stored);
  });

  it('when the token is valid but the activity comes from another tenant, then the tenant gate refuses it', async () => {
    const activity = teamsCardAction(
      serviceUrl,
      'no.such.verb',
      {},
      { from: ALEX, tenantId: '99999999-8888-7777-6666-555555555555' },
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${sign(trusted.privateKey, 'trusted', goodClaims())}`,
      },
      body: JSON.stringify(activity),
    });
    expect(response.status).toBe(403);
  });
});
