/**
 * Where the password goes once the account is ready: Key Vault when configured (and willing), else
 * the Reveal window with its purge scheduled. Safe to run again after a crash: a password already
 * handed over is not sent twice, and a Reveal window already open keeps its deadline.
 */
import { isAppError } from '../domain/errors';
import { userPrincipalName } from '../domain/provisioningSteps';
import { type Actor, auditRecord, type ServiceAccountRequest, SYSTEM_ACTOR } from '../domain/request';
import { keyVaultDetail } from '../domain/keyVaultPlace';
import type { PasswordHandOver } from '../domain/workPorts';
import type { PasswordWhere } from './readyReport';
import type { Services } from './services';

export type KeyVaultResult = { ok: true; name: string; expiresOn: string } | { ok: false; reason: string };

/**
 * Puts the request's password (or `password`, a new one) in Key Vault and forgets the local copy;
 * audited. Says why when it could not (the password then stays sealed here for Reveal).
 */
export async function storeInKeyVault(
  services: Pick<Services, 'passwords' | 'audit' | 'now'> & { handOver: PasswordHandOver },
  request: ServiceAccountRequest,
  actor: Actor,
  password?: string,
): Promise<KeyVaultResult> {
  const { handOver } = services;
  const value = password ?? (await services.passwords.reveal(request.tenantId, request.id));
  if (value === undefined) return { ok: false, reason: 'the password was already forgotten' };
  const now = services.now();
  const expiresOn = new Date(now.getTime() + handOver.secretExpiryMs);
  const name = handOver.secretName(userPrincipalName(request.details), request.id);
  try {
    const stored = await handOver.store({ name, value, requestId: request.id, expiresOn });
    await services.passwords.purge(request.tenantId, request.id, now);
    await services.audit.append(
      auditRecord(
        request,
        actor,
        'password handed over',
        request.state,
        now.toISOString(),
        keyVaultDetail({
          vaultUrl: handOver.vaultUrl,
          name: stored.name,
          version: stored.version,
          expiresOn: expiresOn.toISOString(),
        }),
      ),
    );
    return { ok: true, name: stored.name, expiresOn: expiresOn.toISOString() };
  } catch (error) {
    return {
      ok: false,
      reason: isAppError(error) ? error.userMessage : 'Key Vault did not answer as expected',
    };
  }
}

/** Opens (or keeps) the Reveal window and schedules the purge at its end. */
export async function openRevealWindow(
  services: Pick<Services, 'passwords' | 'scheduler' | 'now' | 'settings'>,
  request: ServiceAccountRequest,
  keep?: string,
): Promise<PasswordWhere> {
  const now = services.now();
  const until = keep ?? new Date(now.getTime() + services.settings.passwordRevealMs).toISOString();
  await services.passwords.setRevealUntil(request.tenantId, request.id, new Date(until));
  await services.scheduler.passwordPurge(request, new Date(until), now);
  return { kind: 'reveal', until };
}

export async function handOverPassword(
  services: Pick<Services, 'passwords' | 'audit' | 'scheduler' | 'handOver' | 'now' | 'settings'>,
  request: ServiceAccountRequest,
): Promise<{ where: PasswordWhere; problem: string }> {
  const state = await services.passwords.state(request.tenantId, request.id);
  const handOver = services.handOver;
  let problem = '';
  if (handOver !== undefined) {
    if (state.kind === 'held' && state.revealUntil === undefined) {
      const handed = await storeInKeyVault({ ...services, handOver }, request, SYSTEM_ACTOR);
      if (handed.ok) return { where: { kind: 'keyVault', vaultUrl: handOver.vaultUrl, ...handed }, problem };
      problem = `I could not put the password in Key Vault (${handed.reason}), so it is here instead. `;
    } else if (state.kind !== 'held') {
      // An earlier run handed it over and stopped before telling anyone.
      const record = (await services.audit.forRequest(request.tenantId, request.id)).find(
        (r) => r.event === 'password handed over',
      );
      if (record !== undefined) {
        return {
          where: {
            kind: 'keyVault',
            vaultUrl: handOver.vaultUrl,
            name: handOver.secretName(userPrincipalName(request.details), request.id),
            expiresOn: new Date(Date.parse(record.at) + handOver.secretExpiryMs).toISOString(),
          },
          problem,
        };
      }
    }
  }
  const keep = state.kind === 'held' ? state.revealUntil : undefined;
  return { where: await openRevealWindow(services, request, keep), problem };
}
