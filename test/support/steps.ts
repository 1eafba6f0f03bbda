/**
 * One mission told as tests, a step each, in order. A step run alone (`jest -t`) first runs the steps
 * before it that have not run yet, so no test needs another test to have run; in a whole-file run every
 * step runs once, in order, as before.
 */
export type Step = (name: string, body: () => Promise<void>, timeoutMs?: number) => void;

export function missionSteps(): Step {
  const bodies: (() => Promise<void>)[] = [];
  let next = 0;
  return (name, body, timeoutMs) => {
    const index = bodies.push(body) - 1;
    it(
      name,
      async () => {
        while (next < index) await bodies[next++]();
        next = index + 1;
        await body();
      },
      timeoutMs,
    );
  };
}
