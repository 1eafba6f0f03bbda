import { ROLE_IDS, SKUS } from '../../src/simulator';
import { exchange, FAST_DELAYS, graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

describe('call log', () => {
  test('when a provisioning-like flow runs, then mutatingCalls lists exactly its changes and roundTrips splits by api', async () => {
    const sim = await startSimulator();
    try {
      const graphToken = await tokenFor(sim, sim.graphEndpoint);
      const exchangeToken = await tokenFor(sim, sim.exchangeEndpoint);
      expect((await graph(sim, graphToken, 'GET', '/users/svc@contoso.com')).status).toBe(404);
      const created = await graph(sim, graphToken, 'POST', '/users', newUserBody('svc'));
      await graph(sim, graphToken, 'POST', '/roleManagement/directory/roleAssignments', {
        roleDefinitionId: ROLE_IDS.globalAdministrator,
        principalId: created.body.id,
        directoryScopeId: '/',
      });
      await graph(sim, graphToken, 'POST', `/users/${created.body.id}/assignLicense`, {
        addLicenses: [{ skuId: SKUS.EXCHANGESTANDARD.skuId }],
        removeLicenses: [],
      });
      await graph(sim, graphToken, 'POST', '/$batch', {
        requests: [
          { id: '1', method: 'GET', url: `/users/${created.body.id}` },
          {
            id: '2',
            method: 'PATCH',
            url: `/users/${created.body.id}`,
            headers: { 'Content-Type': 'application/json' },
            body: { department: 'IT' },
          },
        ],
      });
      sim.advance(FAST_DELAYS.exchangeRecipientMs);
      await exchange(sim, exchangeToken, 'Get-RoleGroup', { Identity: 'App Impersonation' });
      await exchange(sim, exchangeToken, 'New-RoleGroup', {
        Name: 'App Impersonation',
        Roles: ['ApplicationImpersonation'],
        Members: ['svc@contoso.com'],
      });

      const mutating = sim
        .mutatingCalls()
        .map(
          (call) =>
            `${call.method} ${call.cmdlet ?? call.path} ${call.status}${call.viaBatch ? ' (batch)' : ''}`,
        );
      expect(mutating).toEqual([
        'POST /v1.0/users 201',
        'POST /v1.0/roleManagement/directory/roleAssignments 201',
        `POST /v1.0/users/${created.body.id}/assignLicense 200`,
        `PATCH /v1.0/users/${created.body.id} 204 (batch)`,
        'POST New-RoleGroup 200',
      ]);
      expect(sim.mutatingCalls().every((call) => call.committed)).toBe(true);
      expect(sim.roundTrips()).toEqual({ graph: 5, exchange: 2, token: 2, keyvault: 0, total: 9 });
      expect(sim.calls()).toHaveLength(11);
      expect(sim.calls().map((call) => call.seq)).toEqual([...Array(11).keys()].map((index) => index + 1));
      expect(sim.calls()[2]).toMatchObject({
        api: 'graph',
        method: 'GET',
        status: 404,
        mutating: false,
        committed: false,
      });
      sim.resetCalls();
      expect(sim.calls()).toEqual([]);
      expect(sim.roundTrips().total).toBe(0);
    } finally {
      await sim.close();
    }
  });

  test('when state() is changed by the caller, then the simulator’s tenant is not', async () => {
    const sim = await startSimulator();
    try {
      const snapshot = sim.state();
      snapshot.users[0].displayName = 'Changed';
      snapshot.roleAssignments.length = 0;
      expect(sim.state().users[0].displayName).toBe('Alex Wilber');
      expect(sim.state().roleAssignments).toHaveLength(3);
    } finally {
      await sim.close();
    }
  });
});
