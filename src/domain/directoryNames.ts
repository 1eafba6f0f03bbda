/**
 * People's names as the directory gives them. The identity of whoever acts is the object id on the
 * activity; the name on the activity is whatever the Teams client sent, so audit records and cards
 * take the display name from Microsoft Graph instead, looked up by that object id and remembered for
 * a while. A lookup never holds a press for long: when Graph does not answer within a short wait,
 * the name Teams gave is used for that one press, marked as unchecked, and the lookup carries on to
 * fill the cache for the next one.
 */
import type { Directory } from './ports';
import type { Actor } from './request';

/** How long a name from the directory is reused (the same order as the admin-role cache). */
export const NAME_TTL_MS = 10 * 60_000;
/** Longest a press or a typed command waits for the directory to name its sender. */
export const NAME_WAIT_MS = 1_500;

/** An Entra object id (a GUID; the simulated tenant's ids run one digit longer). */
const OBJECT_ID = /^[0-9a-f-]{36,37}$/i;

/** Added to a name the directory did not confirm, wherever it is recorded or shown. */
export const UNCHECKED_NAME_NOTE = 'name from Teams, not checked with the directory';

/** The actor with the name Teams gave, marked as such: the object id is still the identity. */
export function uncheckedActor(claimed: Actor): Actor {
  const given = claimed.name.trim();
  return {
    aadObjectId: claimed.aadObjectId,
    name:
      given === ''
        ? `the user with object id ${claimed.aadObjectId} (no name from the directory)`
        : `${given} (${UNCHECKED_NAME_NOTE})`,
  };
}

export interface DirectoryNamesOptions {
  ttlMs?: number;
  waitMs?: number;
  now?: () => number;
  maxEntries?: number;
  /** Told when a lookup fails (the press has already gone on with the unchecked name). */
  onFailure?: (aadObjectId: string, error: unknown) => void;
}

/** A lookup's outcome: the display name (`undefined`: no such user), or it failed. */
type Lookup = { name: string | undefined } | 'failed';

/** Display names by object id: `undefined` is "no such user in the directory". */
export class DirectoryNames {
  private readonly known = new Map<string, { name: string | undefined; until: number }>();
  private readonly asking = new Map<string, Promise<Lookup>>();

  constructor(
    private readonly directory: Pick<Directory, 'findUser'>,
    private readonly options: DirectoryNamesOptions = {},
  ) {}

  /**
   * The actor with the directory's display name: at once when it is remembered, otherwise after
   * at most `waitMs`. Start it before other work on the same press (the access check) and await it
   * after, so the two round trips to Graph overlap. Never rejects.
   */
  async resolve(claimed: Actor): Promise<Actor> {
    // Only an object id is looked up: `findUser` also takes a sign-in name.
    if (!OBJECT_ID.test(claimed.aadObjectId)) return uncheckedActor(claimed);
    const key = claimed.aadObjectId.toLowerCase();
    const known = this.known.get(key);
    if (known !== undefined && known.until > this.now()) return this.named(claimed, known.name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.waitMs ?? NAME_WAIT_MS);
      timer.unref?.();
    });
    try {
      const answer = await Promise.race([this.lookup(claimed.aadObjectId, key), late]);
      return answer === 'late' || answer === 'failed'
        ? uncheckedActor(claimed)
        : this.named(claimed, answer.name);
    } finally {
      clearTimeout(timer);
    }
  }

  private named(claimed: Actor, name: string | undefined): Actor {
    return name === undefined || name.trim() === ''
      ? uncheckedActor(claimed)
      : { aadObjectId: claimed.aadObjectId, name };
  }

  /** The lookup under way for this person, or a new one; its answer is remembered, a failure not. */
  private lookup(aadObjectId: string, key: string): Promise<Lookup> {
    const under = this.asking.get(key);
    if (under !== undefined) return under;
    const asking: Promise<Lookup> = this.directory.findUser(aadObjectId).then(
      (user) => {
        const name = user?.displayName;
        if (this.known.size >= (this.options.maxEntries ?? 10_000)) this.known.clear();
        this.known.set(key, { name, until: this.now() + (this.options.ttlMs ?? NAME_TTL_MS) });
        this.asking.delete(key);
        return { name };
      },
      (error: unknown) => {
        this.asking.delete(key);
        this.options.onFailure?.(aadObjectId, error);
        return 'failed' as const;
      },
    );
    this.asking.set(key, asking);
    return asking;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
