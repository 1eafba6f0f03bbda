import { ROLE_IDS, type TenantSimulator } from '../../src/simulator';
import { graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

const ASSIGNMENTS = '/roleManagement/directory/roleAssignments';
const ALEX = '00000000-0000-0000-0000-0000000000020';

describe('Graph directory roles', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, sim.graphEndpoint);
  });
  afterEach(async () => {
    await sim.close();
  });

  const filter = (expression: string) => `${ASSIGNMENTS}?$filter=${encodeURIComponent(expression)}`;

  test('when role definitions are listed, then the built-in roles the bot needs are there with their template ids', async () => {
    const result = await graph(sim, token, 'GET', '/roleManagement/directory/roleDefinitions');
    const names = Object.fromEntries(
      (result.body.value as Array<{ id: string; displayName: string }>).map((definition) => [
        definition.displayName,
        definition.id,
      ]),
    );
    expect(names).toMatchObject({
      'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
      'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
      'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
      'Service Support Administrator': 'f023fd81-a637-4b56-95fd-791ac0226033',
    });
    const one = await graph(
      sim,
      token,
      'GET',
      `/roleManagement/directory/roleDefinitions/${ROLE_IDS.globalAdministrator}`,
    );
    expect(one.body).toMatchObject({
      displayName: 'Global Administrator',
      isBuiltIn: true,
      templateId: ROLE_IDS.globalAdministrator,
    });
  });

  test('when assignments are filtered by role, then the two seeded Global Administrators come back', async () => {
    const result = await graph(
      sim,
      token,
      'GET',
      filter(`roleDefinitionId eq '${ROLE_IDS.globalAdministrator}'`),
    );
    expect(result.status).toBe(200);
    expect(result.body.value.map((assignment: { principalId: string }) => assignment.principalId)).toEqual([
      ALEX,
      '00000000-0000-0000-0000-0000000000021',
    ]);
    expect(result.body.value[0]).toEqual({
      id: expect.stringMatching(/-1$/),
      principalId: ALEX,
      directoryScopeId: '/',
      roleDefinitionId: ROLE_IDS.globalAdministrator,
    });
  });

  test('when assignments are filtered by principal and role together, then only the matching one comes back', async () => {
    const both = await graph(
      sim,
      token,
      'GET',
      filter(
        `principalId eq '00000000-0000-0000-0000-0000000000022' and roleDefinitionId eq '${ROLE_IDS.privilegedRoleAdministrator}'`,
      ),
    );
    expect(both.body.value).toHaveLength(1);
    const none = await graph(
      sim,
      token,
      'GET',
      filter(
        `principalId eq '00000000-0000-0000-0000-0000000000022' and roleDefinitionId eq '${ROLE_IDS.globalAdministrator}'`,
      ),
    );
    expect(none.body.value).toEqual([]);
  });

  test('when $expand=principal is asked, then each assignment carries its user', async () => {
    const result = await graph(sim, token, 'GET', `${filter(`principalId eq '${ALEX}'`)}&$expand=principal`);
    expect(result.body.value[0].principal).toMatchObject({
      '@odata.type': '#microsoft.graph.user',
      id: ALEX,
      userPrincipalName: 'alexw@contoso.com',
    });
  });

  test('when a role is assigned, then Graph answers 201 and the assignment is listed', async () => {
    const created = await graph(sim, token, 'POST', '/users', newUserBody('svc-admin'));
    const principalId: string = created.body.id;
    const result = await graph(sim, token, 'POST', ASSIGNMENTS, {
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      principalId,
      directoryScopeId: '/',
    });
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({
      principalId,
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      directoryScopeId: '/',
    });
    const listed = await graph(sim, token, 'GET', filter(`principalId eq '${principalId}'`));
    expect(listed.body.value.map((assignment: { id: string }) => assignment.id)).toEqual([result.body.id]);
  });

  test('when the same role is assigned twice, then Graph answers 400 with its conflicting-object message', async () => {
    const result = await graph(sim, token, 'POST', ASSIGNMENTS, {
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      principalId: ALEX,
      directoryScopeId: '/',
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({
      code: 'Request_BadRequest',
      message:
        'A conflicting object with one or more of the specified property values is present in the directory.',
    });
  });

  test('when the principal does not exist, then Graph answers 404 Request_ResourceNotFound naming it', async () => {
    const result = await graph(sim, token, 'POST', ASSIGNMENTS, {
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      principalId: '9f0e8d7c-6b5a-4321-8fed-cba987654321',
      directoryScopeId: '/',
    });
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('Request_ResourceNotFound');
    expect(result.body.error.message).toContain("'9f0e8d7c-6b5a-4321-8fed-cba987654321'");
  });

  test('when directoryScopeId is missing, then Graph says it is required', async () => {
    const result = await graph(sim, token, 'POST', ASSIGNMENTS, {
      roleDefinitionId: ROLE_IDS.globalAdministrator,
      principalId: ALEX,
    });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe(
      "A value is required for property 'directoryScopeId' of resource 'UnifiedRoleAssignment'.",
    );
  });

  test('when an assignment is deleted, then Graph answers 204 and a second delete answers 404', async () => {
    const listed = await graph(sim, token, 'GET', filter(`principalId eq '${ALEX}'`));
    const id: string = listed.body.value[0].id;
    expect((await graph(sim, token, 'DELETE', `${ASSIGNMENTS}/${id}`)).status).toBe(204);
    expect((await graph(sim, token, 'DELETE', `${ASSIGNMENTS}/${id}`)).status).toBe(404);
    expect(sim.state().roleAssignments.some((assignment) => assignment.id === id)).toBe(false);
  });
});
