/**
 * Where a bug surfacing in a queue's or exchange's own callback (a timer, a microtask) is reported:
 * the broker logs it with its stack and counts it. Without a reporter the exception propagates.
 */
export type FaultReporter = (err: unknown, where: Readonly<Record<string, string>>) => void;

export interface FaultSink<S> {
  fault?(self: S, task: string, err: unknown): void;
}

/** Runs `fn` with `self` as this; an exception goes to the sink (if it has one), so `self` stays usable. */
export function runGuarded<S>(sink: FaultSink<S>, self: S, task: string, fn: (this: S) => void): void {
  try {
    fn.call(self);
  } catch (err) {
    if (sink.fault === undefined) throw err;
    sink.fault(self, task, err);
  }
}
