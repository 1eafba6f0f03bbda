/**
 * What `/readyz` probes, wired from the running parts: a read of one fixed key through the bot-state
 * storage (any backend), the job store's next due time, and the job runner's heartbeat.
 */
import type { Storage } from 'botbuilder';
import type { ReadinessProbes } from '../http/readiness';
import type { RunnerHeartbeat } from '../jobs/jobRunner';
import type { JobStore } from '../jobs/jobs';

/** A key nothing writes: reading it proves the storage answers, whatever it holds. */
export const READINESS_PROBE_KEY = 'readiness-probe';

export interface ReadinessParts {
  storage: Pick<Storage, 'read'>;
  jobs: Pick<JobStore, 'nextDueAt'>;
  runner: { heartbeat(): RunnerHeartbeat };
}

export function readinessProbes({ storage, jobs, runner }: ReadinessParts): ReadinessProbes {
  return {
    storage: {
      failure: 'The bot-state storage could not be read.',
      probe: async () => {
        await storage.read([READINESS_PROBE_KEY]);
        return undefined;
      },
    },
    jobs: {
      failure: 'The job store could not be read.',
      probe: async () => {
        await jobs.nextDueAt();
        return undefined;
      },
    },
    runner: {
      failure: 'The job runner could not be asked.',
      probe: async () => heartbeatProblem(runner.heartbeat()),
    },
  };
}

/** Plain words for a runner that is not going round, or undefined when it is. */
export function heartbeatProblem(beat: RunnerHeartbeat): string | undefined {
  if (!beat.running) return 'The job runner is stopped.';
  if (beat.alive) return undefined;
  const age = beat.ageMs === undefined ? 'never' : `${Math.round(beat.ageMs / 1000)} s ago`;
  return `The job runner's loop last went round ${age} (more than ${Math.round(beat.staleAfterMs / 1000)} s).`;
}
