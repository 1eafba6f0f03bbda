import type { TenantSimulator } from '../../src/simulator';
import { graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

describe('Graph users', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator({ pageSize: 4 });
    token = await tokenFor(sim, 'https://graph.microsoft.com');
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when users are listed without $top, then the first page holds pageSize users and a nextLink to the rest', async () => {
    const first = await graph(sim, token, 'GET', '/users');
    expect(first.status).toBe(200);
    expect(first.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users`);
    expect(first.body.value).toHaveLength(4);
    const nextLink: string = first.body['@odata.nextLink'];
    expect(nextLink.startsWith(`${sim.url}/v1.0/users?$skiptoken=`)).toBe(true);
    const second = await graph(sim, token, 'GET', nextLink.slice(sim.url.length));
    expect(second.body.value.map((user: { displayName: string }) => user.displayName)).toEqual([
      'Patti Fernandez',
      'Lynne Robbins',
      'Diego Siciliani',
    ]);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  test('when users are listed by default, then each has exactly Graph’s default properties', async () => {
    const result = await graph(sim, token, 'GET', '/users?$top=1');
    expect(Object.keys(result.body.value[0]).sort()).toEqual(
      [
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    expect(result.body.value[0].accountEnabled).toBeUndefined();
  });

  test('when users are filtered by userPrincipalName in another case with $select, then only that user and those properties come back', async () => {
    const result = await graph(
      sim,
      token,
      'GET',
      `/users?$filter=${encodeURIComponent("userPrincipalName eq 'AlexW@Contoso.com'")}&$select=displayName,accountEnabled`,
    );
    expect(result.body.value).toEqual([
      { id: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber', accountEnabled: true },
    ]);
    expect(result.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users(displayName,accountEnabled)`);
  });

  test('when users are filtered by mail, accountEnabled or startswith, then the matching users come back', async () => {
    const byMail = await graph(
      sim,
      token,
      'GET',
      `/users?$filter=${encodeURIComponent("mail eq 'meganb@contoso.com'")}`,
    );
    expect(byMail.body.value.map((user: { id: string }) => user.id)).toEqual([
      '00000000-0000-0000-0000-0000000000021',
    ]);
    const disabled = await graph(
      sim,
      token,
      'GET',
      `/users?$filter=${encodeURIComponent('accountEnabled eq false')}&$select=displayName`,
    );
    expect(disabled.body.value.map((user: { displayName: string }) => user.displayName)).toEqual([
      'Diego Siciliani',
    ]);
    const prefix = await graph(
      sim,
      token,
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(displayName,'a')")}&$select=displayName`,
    );
    expect(prefix.body.value.map((user: { displayName: string }) => user.displayName)).toEqual([
      'Alex Wilber',
      'Adele Vance',
    ]);
  });

  test('when $filter or $select names something Graph does not know, then Graph answers 400', async () => {
    const badFilter = await graph(
      sim,
      token,
      'GET',
      `/users?$filter=${encodeURIComponent("favouriteColour eq 'blue'")}`,
    );
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.code).toBe('Request_UnsupportedQuery');
    const badSelect = await graph(sim, token, 'GET', '/users?$select=favouriteColour');
    expect(badSelect.status).toBe(400);
    expect(badSelect.body.error.message).toBe(
      "Could not find a property named 'favouriteColour' on type 'microsoft.graph.user'.",
    );
    const badTop = await graph(sim, token, 'GET', '/users?$top=1000');
    expect(badTop.status).toBe(400);
  });

  test('when a user is read by id or by UPN, then the same user comes back', async () => {
    const byId = await graph(sim, token, 'GET', '/users/00000000-0000-0000-0000-0000000000022');
    const byUpn = await graph(sim, token, 'GET', '/users/adelev@contoso.com');
    expect(byId.body.displayName).toBe('Adele Vance');
    expect(byUpn.body).toEqual(byId.body);
    expect(byId.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users/$entity`);
  });

  test('when a user does not exist, then Graph answers 404 Request_ResourceNotFound in its error shape and echoes client-request-id', async () => {
    const result = await graph(sim, token, 'GET', '/users/nobody@contoso.com', undefined, {
      'client-request-id': 'abc-123',
    });
    expect(result.status).toBe(404);
    expect(result.body).toEqual({
      error: {
        code: 'Request_ResourceNotFound',
        message:
          "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': expect.any(String),
          'client-request-id': 'abc-123',
        },
      },
    });
    expect(result.headers.get('client-request-id')).toBe('abc-123');
    expect(result.headers.get('request-id')).toBe(result.body.error.innerError['request-id']);
  });

  test.each([
    [
      'a required property is missing',
      { mailNickname: undefined },
      "A value is required for property 'mailNickname' of resource 'User'.",
    ],
    [
      'the password is too simple',
      { passwordProfile: { password: 'password' } },
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
    ],
    [
      'the UPN is on an unverified domain',
      { userPrincipalName: 'svc@litware.com' },
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    ],
    [
      'the UPN is on a federated domain',
      { userPrincipalName: 'svc@fabrikam.com' },
      'Property value is required but is empty or missing.',
    ],
    [
      'the mailNickname has a space',
      { mailNickname: 'svc account' },
      "Invalid value specified for property 'mailNickname' of resource 'User'.",
    ],
    [
      'the body has an unknown property',
      { favouriteColour: 'blue' },
      "Property 'favouriteColour' does not exist as a declared property or extension property.",
    ],
    [
      'there are two business phones',
      { businessPhones: ['1', '2'] },
      "Invalid value specified for property 'businessPhones' of resource 'User'.",
    ],
  ])('when %s, then creating the user fails with Graph’s message', async (_case, overrides, message) => {
    const body = newUserBody('svc-invalid', overrides);
    for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key];
    const result = await graph(sim, token, 'POST', '/users', body);
    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe(message);
    expect(sim.state().users.some((user) => user.mailNickname === 'svc-invalid')).toBe(false);
  });

  test('when a user is patched, then Graph answers 204 and the change is stored', async () => {
    const result = await graph(sim, token, 'PATCH', '/users/isaiahl@contoso.com', {
      passwordPolicies: 'DisablePasswordExpiration',
      department: 'Sales',
    });
    expect(result.status).toBe(204);
    expect(result.body).toBeUndefined();
    const user = sim.state().users.find((candidate) => candidate.mailNickname === 'isaiahl');
    expect(user).toMatchObject({ passwordPolicies: 'DisablePasswordExpiration', department: 'Sales' });
  });

  test('when a user is deleted, then Graph answers 204, the user is gone and so are its role assignments', async () => {
    const result = await graph(sim, token, 'DELETE', '/users/00000000-0000-0000-0000-0000000000020');
    expect(result.status).toBe(204);
    const state = sim.state();
    expect(state.users.some((user) => user.id === '00000000-0000-0000-0000-0000000000020')).toBe(false);
    expect(
      state.roleAssignments.some(
        (assignment) => assignment.principalId === '00000000-0000-0000-0000-0000000000020',
      ),
    ).toBe(false);
    expect((await graph(sim, token, 'GET', '/users/alexw@contoso.com')).status).toBe(404);
  });

  test('when an unknown path or method is used, then Graph answers like Graph does', async () => {
    const segment = await graph(sim, token, 'GET', '/userz');
    expect(segment.status).toBe(400);
    expect(segment.body.error.message).toBe("Resource not found for the segment 'userz'.");
    const method = await graph(sim, token, 'PUT', '/users');
    expect(method.status).toBe(405);
  });
});
