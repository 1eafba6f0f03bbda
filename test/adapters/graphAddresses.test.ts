/**
 * Addresses with characters that are legal in a user principal name but special in a URL or in an
 * OData string: the Graph adapter finds such users in the simulator, by path and by `$filter`.
 */
import { SimulatorCredential } from '../../src/adapters/credentials';
import { odataString } from '../../src/adapters/graph/graphDirectory';
import { createTenantPorts } from '../../src/adapters/tenantConnection';
import { systemClock } from '../../src/domain/ports';
import { directAccessChecks } from '../../src/domain/authorization';
import { ROLE } from '../../src/domain/wellKnown';
import { startTenantSimulator, type TenantSimulator } from '../../src/simulator';
import { resolveApprover } from '../../src/useCases/checkRequestForm';
import { FAST_RETRY } from '../support/tenantHarness';

const TENANT = '3d9f1b7e-6a2c-4e8d-9f0a-5b4c3d2e1f00';
const ADDRESSES = [
  "o'connor@contoso.com",
  'a#b@contoso.com',
  'x^y@contoso.com',
  't~z@contoso.com',
  'bang!@contoso.com',
];

describe('addresses with special characters, through the Graph adapter against the simulator', () => {
  let sim: TenantSimulator;
  let ports: ReturnType<typeof createTenantPorts>;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    sim = await startTenantSimulator({ tenantId: TENANT, scenario: 'classic' });
    const credential = new SimulatorCredential(
      sim.authorityHost,
      TENANT,
      sim.clientCredential.clientId,
      sim.clientCredential.clientSecret,
    );
    ports = createTenantPorts(
      {
        tenantId: TENANT,
        graphEndpoint: sim.graphEndpoint,
        exchangeEndpoint: sim.exchangeEndpoint,
        credential,
      },
      { ...FAST_RETRY, clock: systemClock },
    );
    for (const [index, upn] of ADDRESSES.entries()) {
      const user = await ports.directory.createUser({
        displayName: `Special ${index}`,
        mailNickname: `special${index}`,
        userPrincipalName: upn,
        password: 'Sp3cial!Passw0rd#2026',
        employeeType: 'Employee',
        contact: {},
      });
      ids.set(upn, user.id);
    }
    sim.change.addDirectoryRole(ids.get("o'connor@contoso.com")!, ROLE.globalAdministrator);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('when an OData string is built, then each quote is doubled and the whole is quoted', () => {
    expect(odataString("o'connor@contoso.com")).toBe("'o''connor@contoso.com'");
    expect(odataString("''")).toBe("''''''");
  });

  it.each(ADDRESSES)('when findUser is asked for %s, then the user is found by its path', async (upn) => {
    const user = await ports.directory.findUser(upn);
    expect(user?.id).toBe(ids.get(upn));
    expect(user?.userPrincipalName).toBe(upn);
  });

  it.each(ADDRESSES)('when %s is typed as a sign-in name, then the user is found', async (upn) => {
    const user = await ports.directory.findUserBySignInName(upn);
    expect(user?.id).toBe(ids.get(upn));
  });

  it("when the role assignments of o'connor are listed, then the Global Administrator role is there", async () => {
    const id = ids.get("o'connor@contoso.com")!;
    const assignments = await ports.directory.listRoleAssignments({ principalId: id });
    expect(assignments.map((a) => a.roleDefinitionId)).toContain(ROLE.globalAdministrator);
  });

  it("when the requester types o'connor@contoso.com, a Global Administrator, as the approver, then the approver is that person", async () => {
    const before = sim.calls().length;
    const resolution = await resolveApprover(
      ports.directory,
      directAccessChecks(ports.directory),
      { aadObjectId: 'f0f0f0f0-0000-4000-8000-000000000001', name: 'Alex' },
      { typed: "o'connor@contoso.com" },
    );
    expect(resolution).toEqual({
      approver: {
        aadObjectId: ids.get("o'connor@contoso.com"),
        name: 'Special 0',
        userPrincipalName: "o'connor@contoso.com",
      },
    });
    const lookups = sim
      .calls()
      .slice(before)
      .filter((call) => /\/users/.test(call.path));
    expect(lookups.length).toBeGreaterThan(0);
  });
});
