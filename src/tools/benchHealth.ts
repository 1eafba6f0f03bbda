/**
 * The health watch's part of `npm run bench`: what one check of a ready account costs in round trips
 * (target: at most 2 Graph and 2 Exchange, no write), and what checking 1,000 accounts costs — beside a
 * baseline measured in the same run on the same tenant: the same readings made one call at a time
 * through the single-purpose port methods, as a watch without batching would.
 */
import { evaluateHealth } from '../domain/accountHealth';
import type { Directory, Exchange } from '../domain/ports';
import type { DirectoryAccountReading, ExchangeAccountReading } from '../domain/tenant';
import { IMPERSONATION_ROLE_GROUP, ROLE } from '../domain/wellKnown';
import type { TenantSimulator } from '../simulator';

type Line = (label: string, value: string | number, note?: string) => void;
type Verdict = (ok: boolean, target: string) => string;

const ACCOUNTS = 1_000;
const CONCURRENCY = 8;
const DOMAIN = 'contoso.com';
const PASSWORD = 'Bench#Health-2026-xyzQ1';

interface Account {
  userId: string;
  upn: string;
}

/** The batched reading, as the watch makes it. */
async function batched(directory: Directory, exchange: Exchange, account: Account) {
  const [d, e] = await Promise.all([
    directory.readAccountHealth(account.userId, DOMAIN),
    exchange.readAccountHealth({ user: account.upn, roleGroup: IMPERSONATION_ROLE_GROUP }),
  ]);
  return { d, e };
}

/** The same facts one call at a time through the single-purpose methods (the baseline). */
async function oneByOne(
  directory: Directory,
  exchange: Exchange,
  account: Account,
): Promise<{ d: DirectoryAccountReading; e: ExchangeAccountReading }> {
  const overview = await directory.readOverview();
  const user = await directory.findUser(account.userId);
  const roles = await directory.listRoleAssignments({ principalId: account.userId });
  const mfa = await directory.perUserMfaState(account.userId);
  const group = await exchange.getRoleGroup(IMPERSONATION_ROLE_GROUP);
  const alias = account.upn.split('@')[0].toLowerCase();
  return {
    d: {
      ...(user === undefined
        ? {}
        : {
            user: {
              id: user.id,
              userPrincipalName: user.userPrincipalName,
              accountEnabled: user.accountEnabled,
              passwordPolicies: user.passwordPolicies ?? '',
              skuIds: user.assignedLicenses.map((l) => l.skuId),
            },
          }),
      groupIds: [],
      roleDefinitionIds: roles.filter((r) => r.directoryScopeId === '/').map((r) => r.roleDefinitionId),
      securityDefaultsEnabled: overview.securityDefaultsEnabled,
      conditionalAccessPolicies: overview.conditionalAccessPolicies,
      domain: overview.domains.find((d) => d.id === DOMAIN),
      perUserMfaState: mfa,
    },
    e: {
      roleGroupMember: (group?.members ?? []).some(
        (m) => m.toLowerCase() === alias || m.toLowerCase() === account.upn.toLowerCase(),
      ),
    },
  };
}

/** Runs `work` over every account, `CONCURRENCY` at a time; the wall time in ms. */
async function overAll(accounts: Account[], work: (account: Account) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < accounts.length) await work(accounts[next++]);
    }),
  );
  return performance.now() - started;
}

/** Ready accounts (user, admin role, role group), made directly rather than through provisioning. */
async function makeAccounts(directory: Directory, exchange: Exchange, count: number): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let n = 0; n < count; n++) {
    const upn = `bench-health-${n}@${DOMAIN}`;
    const user = await directory.createUser({
      displayName: `Bench health ${n}`,
      userPrincipalName: upn,
      mailNickname: `bench-health-${n}`,
      password: PASSWORD,
      usageLocation: 'US',
      contact: {},
      employeeType: `bench-health-${n}`,
    });
    // The first still a Global Administrator, the rest downgraded, as accounts are after their first sign-in.
    await directory.createRoleAssignment(
      user.id,
      n === 0 ? ROLE.globalAdministrator : ROLE.serviceSupportAdministrator,
    );
    accounts.push({ userId: user.id, upn });
  }
  // Every member in one group (made with the first when the tenant has none yet): one member per call.
  let members = accounts;
  if ((await exchange.getRoleGroup(IMPERSONATION_ROLE_GROUP)) === undefined) {
    await exchange.newRoleGroup(IMPERSONATION_ROLE_GROUP, ['ApplicationImpersonation'], [accounts[0].upn]);
    members = accounts.slice(1);
  }
  for (const account of members) await exchange.addRoleGroupMember(IMPERSONATION_ROLE_GROUP, account.upn);
  return accounts;
}

export async function benchHealth(
  sim: TenantSimulator,
  ports: { directory: Directory; exchange: Exchange },
  line: Line,
  verdict: Verdict,
): Promise<void> {
  const { directory, exchange } = ports;
  const [first, ...rest] = await makeAccounts(directory, exchange, ACCOUNTS);

  sim.resetCalls();
  const one = await batched(directory, exchange, first);
  const trips = sim.roundTrips();
  const writes = sim.mutatingCalls().filter((c) => c.committed).length;
  const problems = evaluateHealth(
    {
      now: Date.now(),
      account: {
        userId: first.userId,
        userPrincipalName: first.upn,
        disabledOnPurpose: false,
        roleGroup: IMPERSONATION_ROLE_GROUP,
        downgradeRoleId: ROLE.serviceSupportAdministrator,
      },
    },
    one.d,
    one.e,
  );
  line('Graph round trips per check', trips.graph, verdict(trips.graph <= 2, '<= 2, batched'));
  line('Exchange round trips per check', trips.exchange, verdict(trips.exchange <= 2, '<= 2, batched'));
  line('writes per check', writes, verdict(writes === 0, '0'));
  line('problems found on a healthy account', problems.length, verdict(problems.length === 0, '0'));

  sim.resetCalls();
  await oneByOne(directory, exchange, first);
  const baseTrips = sim.roundTrips();
  line('baseline: Graph round trips, one call per fact', baseTrips.graph);
  line('baseline: Exchange round trips, one call per fact', baseTrips.exchange);

  const accounts = [first, ...rest];
  const heapBefore = process.memoryUsage().heapUsed;
  sim.resetCalls();
  const watchMs = await overAll(accounts, (a) => batched(directory, exchange, a));
  const watchTrips = sim.roundTrips();
  const heapAfter = process.memoryUsage().heapUsed;
  sim.resetCalls();
  const baseMs = await overAll(accounts, (a) => oneByOne(directory, exchange, a));
  const baseAllTrips = sim.roundTrips();
  const total = (t: { graph: number; exchange: number }) => t.graph + t.exchange;
  line(`checking ${ACCOUNTS} accounts, ${CONCURRENCY} at a time (ms)`, watchMs.toFixed(0));
  line('  per account (ms)', (watchMs / ACCOUNTS).toFixed(2));
  line('  round trips (Graph + Exchange)', `${watchTrips.graph}+${watchTrips.exchange}`);
  line('  heap grown while checking (MB)', ((heapAfter - heapBefore) / 1_048_576).toFixed(1));
  line(`baseline: the same ${ACCOUNTS}, one call per fact (ms)`, baseMs.toFixed(0));
  line('  round trips (Graph + Exchange)', `${baseAllTrips.graph}+${baseAllTrips.exchange}`);
  const ratio = total(baseAllTrips) / Math.max(1, total(watchTrips));
  line(
    'round trips saved by batching (baseline / watch)',
    `${ratio.toFixed(2)}x`,
    verdict(total(watchTrips) <= 4 * ACCOUNTS, `<= ${4 * ACCOUNTS} round trips for ${ACCOUNTS} accounts`),
  );
  line('time, watch / baseline', `${(watchMs / Math.max(1, baseMs)).toFixed(2)}x`);
}
