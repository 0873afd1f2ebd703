/** Work on one visit's money runs in order, one task at a time: concurrent callers cannot race a read and a write. */
export class PerVisit {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of the same visit, whether that one succeeded or not. */
  run<T>(visit: string, task: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(visit) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(visit, tail);
    void tail.then(() => {
      if (this.tails.get(visit) === tail) this.tails.delete(visit);
    });
    return run;
  }
}
