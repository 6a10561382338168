/**
 * The clean-up of a harness run (reality, soak): the run owns broker JVMs, processor and actuator
 * children and containers, and stops them in its `finally`. A signal used to end the run before that
 * `finally` could run (a SIGTERM to a soak left its three cluster JVMs running), so while a run is
 * under way SIGTERM/SIGINT run the same clean-up, once, and only then exit.
 */

import { ExoArmurError } from '../../processor/errors.js';

/** Exit status after a signal: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/** A clean-up that waits on a compose run or a cluster's stop may take this long before the exit anyway. */
export const CLEANUP_GRACE_MS = 120_000;

let stoppedBy: string | undefined;

/**
 * Called by the two places that start processes (tools/lib/children.ts, tools/broker/broker.ts):
 * once a signal has started the clean-up, a run's supervisor or fault plan must not start a new
 * processor or broker behind it (the soak restarted its processor while its clean-up stopped it).
 */
export function refuseStartsWhileStopping(what: string): void {
  if (stoppedBy !== undefined) throw new ExoArmurError('RUN_STOPPING', `not starting ${what}: the run is stopping after ${stoppedBy}`);
}

export interface RunCleanup {
  /** Runs the clean-up (the first call starts it; later calls, and a signal, share that one promise). */
  run(): Promise<void>;
  /** Stops listening for signals; the run's `finally` calls it before `run()`. */
  release(): void;
}

/**
 * `cleanUp` is called at most once, by whichever comes first: the run's `finally` or a signal. After
 * a signal the process exits when the clean-up ends (or after CLEANUP_GRACE_MS), whatever the run's
 * main path is doing meanwhile: its processes are going away under it.
 */
export function cleanUpOnSignals(cleanUp: () => Promise<void>, log: (line: string) => void): RunCleanup {
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => (running ??= cleanUp());
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    stoppedBy = signal;
    log(`${signal}: stopping the run's processes, broker and containers before exiting`);
    setTimeout(() => {
      log(`the clean-up did not finish in ${CLEANUP_GRACE_MS / 1000} s; exiting`);
      process.exit(SIGNAL_EXIT[signal]);
    }, CLEANUP_GRACE_MS).unref();
    run().then(
      () => process.exit(SIGNAL_EXIT[signal]),
      () => process.exit(SIGNAL_EXIT[signal]),
    );
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  return {
    run,
    release() {
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
    },
  };
}
