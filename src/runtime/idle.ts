/** Waiting for a quiet bot: no job and no background work (card updates, notes) left running. */

export interface JobRounds {
  /** Starts what is due now; resolves with how many jobs it started. */
  tick(): Promise<number>;
  /** Resolves when no job is running. */
  idle(): Promise<void>;
}

export interface Background {
  /** Resolves true when nothing is left running. */
  idle(): Promise<boolean>;
}

/** Runs what is due now and resolves when nothing is left running. */
export async function runUntilIdle(runner: JobRounds, background: Background): Promise<void> {
  // Until a round starts nothing new: run what is due, wait for it and for what it set off.
  for (let round = 0; round < 100; round++) {
    const started = await runner.tick();
    await runner.idle();
    const quiet = await background.idle();
    if (started === 0 && quiet && (await runner.tick()) === 0) {
      await runner.idle();
      return;
    }
  }
}
