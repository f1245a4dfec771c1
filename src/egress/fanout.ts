// Running a list of jobs with at most N in flight, in the list's order of starting, with hooks that
// run one at a time: a hook that waits (a prompt) holds every start and every other hook until it
// answers, so with N = 1 the sequence is exactly "before, run, after" per item, as The Bastion's
// clush loop does. A hook answering false, or the signal, starts no more items; those in flight
// run to their end (their own cancel is the caller's business).

export interface FanOutOptions<T, R> {
  /** Items in flight at most (at least 1). */
  readonly parallel: number;
  /** Aborted: no item starts any more. */
  readonly signal: AbortSignal;
  /** Before an item starts, alone: false starts no more items. */
  readonly before?: (item: T, index: number) => Promise<boolean> | boolean;
  /** Runs one item; expected not to throw (a throw is kept and rethrown once all items ended). */
  readonly run: (item: T, index: number) => Promise<R>;
  /** As each item ends, alone, in the order they end: false starts no more items. */
  readonly after?: (item: T, result: R, index: number) => Promise<boolean> | boolean;
}

export interface FanOutResult<R> {
  /** By the item's index; undefined for the items that never started. */
  readonly results: readonly (R | undefined)[];
  /** Some items were left unstarted (a hook's false or the signal). */
  readonly stopped: boolean;
}

export async function fanOut<T, R>(items: readonly T[], o: FanOutOptions<T, R>): Promise<FanOutResult<R>> {
  const results: (R | undefined)[] = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let stopped = false;
  let failure: { readonly err: unknown } | null = null;
  // The hooks' queue: each waits for the one before it.
  let turn: Promise<unknown> = Promise.resolve();
  const alone = <X>(fn: () => Promise<X> | X): Promise<X> => {
    const p = turn.then(fn);
    turn = p.catch(() => {});
    return p;
  };
  /** The next item to run, or -1 when there is none or starting has stopped. */
  const take = (): Promise<number> =>
    alone(async () => {
      if (stopped || failure || o.signal.aborted || next >= items.length) {
        if (next < items.length) stopped = true;
        return -1;
      }
      const i = next++;
      if (o.before && !(await o.before(items[i] as T, i))) {
        stopped = true;
        return -1;
      }
      return i;
    });
  const worker = async (): Promise<void> => {
    try {
      for (let i = await take(); i >= 0; i = await take()) {
        const r = await o.run(items[i] as T, i);
        results[i] = r;
        const after = o.after;
        if (after && !(await alone(() => after(items[i] as T, r, i)))) stopped = true;
      }
    } catch (err) {
      // The others finish what they run, start nothing more, and the first error is rethrown.
      failure ??= { err };
    }
  };
  const workers = Math.max(1, Math.min(o.parallel, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw (failure as { readonly err: unknown }).err;
  return { results, stopped };
}
