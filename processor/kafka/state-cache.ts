/**
 * A task's state cache as restored from the changelog, decoding values only when the core reads
 * them. Restore reads every version of every key the compacted topic still holds, and most of the
 * survivors (decided approvals, idle collectives) are never read again, so keeping their Avro bytes
 * (a few hundred bytes each, against a few KiB as objects) makes restore faster and the cache smaller.
 * Idempotency marks, most of the topic, are the one shared value and never stored as bytes.
 */
import { decodeRecord, isIdempotencyMark } from '../codec/index.js';
import { IDEMPOTENCY_MARK, type StateValue } from '../core/index.js';
import { ExoArmurError } from '../errors.js';

class EncodedStateValue {
  constructor(
    readonly bytes: Buffer,
    readonly offset: string,
  ) {}
}

export class LazyStateCache extends Map<string, StateValue> {
  constructor(
    private readonly topic: string,
    private readonly partition: number,
  ) {
    super();
  }

  /** A changelog entry as read: null deletes, the idempotency mark is shared, anything else waits as bytes. */
  restoreEntry(key: string, bytes: Buffer | null, offset: string): void {
    if (bytes === null) this.delete(key);
    else if (isIdempotencyMark(bytes)) this.set(key, IDEMPOTENCY_MARK);
    // A copy: the fetched message is a view of its whole fetch response, which it would keep alive.
    else super.set(key, new EncodedStateValue(Buffer.from(bytes), offset) as unknown as StateValue);
  }

  override get(key: string): StateValue | undefined {
    const value = super.get(key) as StateValue | EncodedStateValue | undefined;
    if (!(value instanceof EncodedStateValue)) return value;
    const decoded = decodeRecord('state', value.bytes);
    if (!decoded.ok || decoded.value === null) {
      // The changelog is written only by this processor; guessing state would break exactly-once.
      throw new ExoArmurError('STATE_RECORD_UNREADABLE', `state changelog entry ${key} at offset ${value.offset} is unreadable: ${decoded.ok ? 'null value' : decoded.reason}`, {
        context: { topic: this.topic, partition: this.partition, offset: value.offset },
      });
    }
    const state = decoded.value as StateValue;
    super.set(key, state);
    return state;
  }
}
