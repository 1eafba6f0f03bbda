/**
 * Requests for tests that drive the bot in process: a submitted request (stored only, or with its
 * approval jobs scheduled and delivered as in real use), and waiting for a request to reach a state.
 */
import type { RequestDetails, RequestState, ServiceAccountRequest } from '../../src/domain/request';
import { submitRequest } from '../../src/useCases/submitRequest';
import type { Scheduler } from '../../src/domain/workPorts';
import type { RunningBot } from '../../src/index';
import { JobScheduler } from '../../src/jobs/jobScheduler';
import { RecordingScheduler } from './memoryServices';
import { ALEX, MEGAN, TEST_TENANT_ID, type TeamsUser } from './activities';

export interface PendingOptions {
  username: string;
  requester?: TeamsUser;
  approver?: TeamsUser;
  details?: Partial<RequestDetails>;
  expiresInMs?: number;
  reminderMs?: number;
}

/**
 * Stores a submitted request (Alex → Megan unless told otherwise) and nothing else: no approval job is
 * scheduled, so it is never delivered, reminded or expired.
 */
export async function storedRequest(
  bot: RunningBot,
  options: PendingOptions,
  scheduler: Scheduler = new RecordingScheduler(),
): Promise<ServiceAccountRequest> {
  const requester = options.requester ?? ALEX;
  const approver = options.approver ?? MEGAN;
  // The bot's own services, with this request's expiry and the scheduler given.
  const services = {
    ...bot.services,
    tenantId: TEST_TENANT_ID,
    scheduler,
    settings: { approvalExpiryMs: options.expiresInMs ?? 3_600_000 },
  };
  return submitRequest(services, {
    requester: { aadObjectId: requester.aadObjectId, name: requester.name },
    approver: {
      aadObjectId: approver.aadObjectId,
      name: approver.name,
      userPrincipalName: `${approver.name.split(' ')[0].toLowerCase()}@contoso.com`,
    },
    details: {
      displayName: 'CiraSync Service',
      username: options.username,
      domain: 'contoso.com',
      contact: {},
      acknowledgedWarnings: [],
      ...options.details,
    },
  });
}

/** Stores a request (Alex → Megan unless told otherwise), schedules its jobs and lets delivery run. */
export async function pendingRequest(
  bot: RunningBot,
  options: PendingOptions,
): Promise<ServiceAccountRequest> {
  const scheduler = new JobScheduler({
    jobs: bot.jobs,
    reminderMs: options.reminderMs ?? 0,
    wake: () => bot.runner.poke(),
  });
  const request = await storedRequest(bot, options, scheduler);
  await bot.idle();
  return request;
}

/** Runs the bot's jobs until the request is in `state`; fails after `timeoutMs`. */
export async function untilState(
  bot: RunningBot,
  requestId: string,
  state: RequestState,
  timeoutMs = 30_000,
): Promise<ServiceAccountRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    bot.runner.poke();
    await bot.idle();
    const current = await bot.requests.get(TEST_TENANT_ID, requestId);
    if (current?.state === state) return current;
    if (Date.now() > deadline) throw new Error(`Request ${requestId} is ${current?.state}, not ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
