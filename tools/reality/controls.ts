/** How the fault injector drives a run's processor and broker, whichever runs them (the harness or docker-compose). */

/**
 * The run's processor as the fault injector drives it: the harness's own child process
 * (child-control.ts) or the compose stack's processor container (compose-run.ts).
 */
export interface ProcessorControl {
  /** How many times it was started (gate 2 reads it). */
  readonly starts: number;
  /** Running, or being restarted by its supervisor. */
  readonly running: boolean;
  start(): void | Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
  /** PROCESSOR_EXITED naming why (its last output), for a wait that gives up once it is gone. */
  exitedError(): Error;
}

/** The run's broker as a supervisor drives it; absent for an external broker (--brokers), which is not the run's to kill. */
export interface BrokerControl {
  /** SIGKILL. */
  kill(): Promise<void>;
  /** A clean stop. */
  stop(): Promise<void>;
  /** Up again on the same data and ports, serving requests. */
  restart(): Promise<void>;
}
