/**
 * RBAC for Applications, the engine's side: the three check-then-act steps against an Exchange that
 * remembers what it was given, a second run and a resumed run that write nothing again, a parallel
 * run's "already exists", and readiness from Test-ServicePrincipalAuthorization.
 */
import {
  type AppAccessSpec,
  managementScopeName,
  recipientFilter,
  sameRecipientFilter,
} from '../../src/domain/appAccess';
import { appAccessInPlace, grantAppAccess } from '../../src/domain/appAccessSteps';
import { MemoryAppAccess } from '../support/memoryServices';

const SPEC: AppAccessSpec = {
  requestId: '6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f',
  appId: '11111111-2222-4333-8444-555555555555',
  servicePrincipalId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  displayName: 'CiraSync',
  roles: ['Application Contacts.ReadWrite', 'Application Calendars.Read'],
  scope: { kind: 'group', group: 'Sync Users' },
};

describe('granting the sync product’s app its Exchange roles', () => {
  it('when the grant runs, then the app is registered, the scope made and each role assigned once; a second run writes nothing', async () => {
    const exchange = new MemoryAppAccess();
    const first = await grantAppAccess(SPEC, { exchange });
    expect(first.completed.map((r) => [r.step, r.outcome])).toEqual([
      ['exchangeServicePrincipal', 'created'],
      ['managementScope', 'created'],
      ['applicationRoles', 'created'],
    ]);
    expect(exchange.scopes).toEqual([
      { name: managementScopeName(SPEC), filter: "MemberOfGroup -eq 'Sync Users'" },
    ]);
    expect(exchange.assignments.map((a) => [a.role, a.scope])).toEqual([
      ['Application Contacts.ReadWrite', managementScopeName(SPEC)],
      ['Application Calendars.Read', managementScopeName(SPEC)],
    ]);
    const writes = exchange.writes.length;
    const second = await grantAppAccess(SPEC, { exchange });
    expect(second.completed.every((r) => r.outcome === 'existing')).toBe(true);
    expect(exchange.writes).toHaveLength(writes);
  });

  it('when a run resumes after a crash, then the steps it finished are not run again', async () => {
    const exchange = new MemoryAppAccess();
    let saved: Awaited<ReturnType<typeof grantAppAccess>> | undefined;
    exchange.beforeWrite = (write) => {
      if (write.startsWith('New-ManagementRoleAssignment')) throw new Error('crash');
    };
    await expect(
      grantAppAccess(SPEC, {
        exchange,
        onStepDone: (progress) => {
          saved = structuredClone(progress);
        },
      }),
    ).rejects.toThrow('crash');
    expect(saved?.completed.map((r) => r.step)).toEqual(['exchangeServicePrincipal', 'managementScope']);
    exchange.beforeWrite = () => undefined;
    const started: string[] = [];
    await grantAppAccess(SPEC, {
      exchange,
      progress: saved,
      onStepStarted: (step) => void started.push(step),
    });
    expect(started).toEqual(['applicationRoles']);
    expect(exchange.writes.filter((w) => w === 'New-ServicePrincipal')).toHaveLength(1);
  });

  it('when a parallel run registers the app first, then this run treats it as in place and goes on', async () => {
    const exchange = new MemoryAppAccess();
    exchange.beforeWrite = (write) => {
      if (write === 'New-ServicePrincipal' && exchange.principals.length === 0) {
        exchange.principals.push({
          appId: SPEC.appId,
          objectId: SPEC.servicePrincipalId,
          displayName: 'CiraSync',
        });
      }
    };
    const progress = await grantAppAccess({ ...SPEC, scope: { kind: 'organization' } }, { exchange });
    expect(progress.completed.map((r) => [r.step, r.outcome])).toEqual([
      ['exchangeServicePrincipal', 'existing'],
      ['managementScope', 'skipped'],
      ['applicationRoles', 'created'],
    ]);
    expect(exchange.assignments.every((a) => a.scope === undefined)).toBe(true);
  });

  it('when Exchange knows the app under another service principal, or the scope name is taken with another filter, then it stops and says what to check', async () => {
    const taken = new MemoryAppAccess();
    taken.principals.push({
      appId: SPEC.appId,
      objectId: '99999999-0000-4000-8000-000000000000',
      displayName: 'Old',
    });
    await expect(grantAppAccess(SPEC, { exchange: taken })).rejects.toThrow(/another service principal/);

    const scoped = new MemoryAppAccess();
    scoped.scopes.push({ name: managementScopeName(SPEC), filter: "Department -eq 'Sales'" });
    await expect(grantAppAccess(SPEC, { exchange: scoped })).rejects.toThrow(/exists with another filter/);
    expect(scoped.assignments).toEqual([]);
  });

  it('when the scope this request made is found in Exchange’s stored form, then it is taken as in place and the roles go on it', async () => {
    // Exchange resolves a group to its distinguished name and keeps its own casing and quoting.
    const exchange = new MemoryAppAccess();
    exchange.scopes.push({
      name: managementScopeName(SPEC),
      filter:
        "MemberOfGroup -eq 'CN=Sync Users,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM'",
    });
    const progress = await grantAppAccess(SPEC, { exchange });
    expect(progress.completed.find((r) => r.step === 'managementScope')?.outcome).toBe('existing');
    expect(exchange.assignments.map((a) => a.scope)).toEqual([
      managementScopeName(SPEC),
      managementScopeName(SPEC),
    ]);
  });

  it.each([
    ["Department -eq 'Sales'", "department -eq 'Sales'", true],
    ["Department -eq 'Sales'", 'Department -eq "Sales"', true],
    ["Department -eq 'Sales'", 'Department -eq Sales', true],
    [
      "((Department -eq 'Sales') -and (City -eq 'Oslo'))",
      "Department -eq 'Sales' -and City -eq 'Oslo'",
      true,
    ],
    ["{CustomAttribute1 -eq 'CiraSync'}", "CustomAttribute1 -eq 'CiraSync'", true],
    ["Title -eq 'O''Brien'", `Title -eq "O'Brien"`, true],
    [
      "MemberOfGroup -eq 'CN=Sales\\, EMEA,OU=contoso.onmicrosoft.com,DC=COM'",
      "MemberOfGroup -eq 'Sales, EMEA'",
      true,
    ],
    ["Department -eq 'Sales'", "Department -eq 'Sales and Marketing'", false],
    ["Department -eq 'Sales'", "Department -ne 'Sales'", false],
    ["Department -eq 'Sales'", "City -eq 'Sales'", false],
    [
      "MemberOfGroup -eq 'CN=Everyone,OU=contoso.onmicrosoft.com,DC=COM'",
      "MemberOfGroup -eq 'Sync Users'",
      false,
    ],
    ["Department -eq 'Sales", "Department -eq 'Sales'", false],
  ])(
    'when Exchange stored %s and the request asked for %s, then they are the same filter: %s',
    (stored, asked, same) => {
      expect(sameRecipientFilter(stored, asked)).toBe(same);
    },
  );

  it('when readiness is asked, then every role must be listed, and in scope for the sample mailbox', async () => {
    const exchange = new MemoryAppAccess();
    expect(await appAccessInPlace(exchange, SPEC)).toEqual({ ready: false, missing: SPEC.roles });
    await grantAppAccess(SPEC, { exchange });
    expect(await appAccessInPlace(exchange, SPEC)).toEqual({ ready: true, missing: [] });
    expect((await appAccessInPlace(exchange, SPEC, 'alexw@contoso.com')).ready).toBe(false);
    exchange.inScope.add('alexw@contoso.com');
    expect((await appAccessInPlace(exchange, SPEC, 'alexw@contoso.com')).ready).toBe(true);
  });

  it('when a group name holds a quote, then the recipient filter escapes it', () => {
    expect(recipientFilter({ kind: 'group', group: "O'Brien's team" })).toBe(
      "MemberOfGroup -eq 'O''Brien''s team'",
    );
    expect(recipientFilter({ kind: 'organization' })).toBeUndefined();
  });
});
