/**
 * One change of the account's password at a time: Reset, Rotate and Hand over to Key Vault each hold
 * the password vault's reset lease while they work, so two of them can never leave Entra, Key Vault
 * and the bot's copy with different passwords.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceAccountRequest } from '../domain/request';
import type { Services } from './services';

/** Long enough for a reset against a slow tenant; a crashed holder's lease runs out after it. */
export const RESET_LEASE_MS = 5 * 60_000;

/** Runs `work` holding the lease; `busy` when another change holds it now. */
export async function underPasswordLease<T>(
  services: Pick<Services, 'passwords' | 'now'>,
  request: Pick<ServiceAccountRequest, 'tenantId' | 'id'>,
  work: () => Promise<T>,
): Promise<T | 'busy'> {
  const holder = randomUUID();
  if (
    !(await services.passwords.claimReset(
      request.tenantId,
      request.id,
      holder,
      services.now(),
      RESET_LEASE_MS,
    ))
  )
    return 'busy';
  try {
    return await work();
  } finally {
    await services.passwords.releaseReset(request.tenantId, request.id, holder);
  }
}
