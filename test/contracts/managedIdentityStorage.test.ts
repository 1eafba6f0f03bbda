/**
 * STORAGE=azure reached by URL with a token credential, as a managed identity reaches it in App
 * Service: Azurite over HTTPS with bearer tokens checked for issuer, audience and lifetime. The
 * records and the jobs both go through the credential, and a token for another resource is refused.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { CasDocuments } from '../../src/lib/casDocuments';
import { openStores } from '../../src/runtime/stores';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import { type Azurite, startAzurite } from '../support/azurite';

const TENANT = 'ab1f708d-50f6-404c-a006-d71b2ac7a606';

/** An Entra-shaped access token for `audience` (unsigned: Azurite's basic check reads the claims). */
class TestIdentity implements TokenCredential {
  readonly scopes: string[] = [];

  constructor(private readonly audience = 'https://storage.azure.com') {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      aud: this.audience,
      iss: `https://sts.windows.net/${TENANT}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      oid: 'mi-object-id',
      tid: TENANT,
    };
    return {
      token: `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.c2ln`,
      expiresOnTimestamp: (now + 3600) * 1000,
    };
  }
}

let azurite: Azurite;
beforeAll(async () => {
  assertTestCaTrusted();
  azurite = await startAzurite({ oauth: true });
});
afterAll(async () => {
  await azurite?.stop();
});

function settings(n: number) {
  return {
    kind: 'azure' as const,
    access: { kind: 'managedIdentity' as const, blobUrl: azurite.blobUrl, tableUrl: azurite.tableUrl },
    container: `identity-${n}`,
    table: `identity${n}`,
  };
}

describe('STORAGE=azure by account URL and a managed identity', () => {
  it('when the identity holds a storage token, then records and jobs are written and read through it', async () => {
    const identity = new TestIdentity();
    const stores = openStores(settings(1), identity);
    const docs = new CasDocuments(stores.records.storage);
    const parse = (raw: unknown) => raw as { n: number };
    await docs.update('service-account-bot/probe', parse, { n: 0 }, (doc) => ({ n: doc.n + 1 }));
    expect((await docs.read('service-account-bot/probe', parse))?.value).toEqual({ n: 1 });

    const now = Date.now();
    expect(
      await stores.jobs.enqueue({ id: 'j1', kind: 'k', tenantId: 't', requestId: 'r', runAt: now }, now),
    ).toBe(true);
    expect((await stores.jobs.claimDue('owner', now, 60_000, 5)).map((j) => j.id)).toEqual(['j1']);
    expect(new Set(identity.scopes)).toEqual(new Set(['https://storage.azure.com/.default']));
    await stores.close();
  });

  it('when the token is for another resource, then storage refuses it and the bot says it could not read its records', async () => {
    const stores = openStores(settings(2), new TestIdentity('https://vault.azure.net'));
    const docs = new CasDocuments(stores.records.storage);
    await expect(docs.read('service-account-bot/probe', (raw) => raw)).rejects.toMatchObject({
      code: 'ServiceUnavailable',
      userMessage: 'The bot could not read its records just now; try again in a minute.',
      cause: expect.objectContaining({ statusCode: 403 }),
    });
    await expect(stores.jobs.get('j1')).rejects.toMatchObject({ statusCode: 403 });
    await stores.close();
  });
});
