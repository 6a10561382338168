/** A promise-chain mutex: a task's telemetry-p and operator-p batches never run concurrently. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(critical: () => Promise<T>): Promise<T> {
    const result = this.tail.then(critical);
    // The next holder waits for this one whether it succeeded or failed.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
