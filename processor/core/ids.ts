/**
 * Deterministic ULIDs (docs/contracts.md): the 48-bit time part is the event time in ms; the
 * 80 "random" bits are the first 10 bytes of SHA-256 over kind \n tenant \n key \n index.
 * Replaying the same inputs reproduces the same ids; distinct (kind, tenant, key, index) never
 * share one (up to SHA-256 collisions).
 *
 * Which `key` each id uses:
 *  - audit_id:       `${idempotency_key}@${partition}:${offset}` of the consumed input, index =
 *                    position of the record among that input's audit records. The delivery
 *                    coordinates are part of the key because a redelivered input (duplicate
 *                    receipt) or a kill switch written to every partition shares its idempotency key.
 *  - dead_letter_id: same key as the receipt's audit_id, index 0.
 *  - intent_id, approval_id: the telemetry's idempotency key, index 0 (a function of the event).
 *  - a revert intent's id: kind `revert`, key = the reverted intent's id, index 0, time = its end
 *    (a function of the containment, whichever input's stream time passes the end).
 */
import type { Primitives } from './api.js';
import { msOf } from './time.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;
/** Value of a hex digit by char code (0 for anything else; callers pass SHA-256 hex). */
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export type IdKind = 'audit' | 'intent' | 'approval' | 'dead_letter' | 'revert';

/**
 * The ids one step derives, from the input's idempotency key (fixed before the step starts, so no
 * id can be derived from a key not yet known) and its delivery coordinates.
 */
export class StepIds {
  /** `${idempotency_key}@${partition}:${offset}`: the key of every audit and dead-letter id of this input. */
  readonly deliveryKey: string;

  constructor(
    private readonly prims: Primitives,
    readonly idempotencyKey: string,
    delivery: { partition: number; offset: string },
  ) {
    this.deliveryKey = `${idempotencyKey}@${delivery.partition}:${delivery.offset}`;
  }

  /** The id of this input's `index`-th audit record. */
  audit(tenant: string, index: number, eventTime: string): string {
    return deterministicUlid(this.prims, 'audit', tenant, this.deliveryKey, index, msOf(eventTime));
  }

  deadLetter(tenant: string, eventTime: string): string {
    return deterministicUlid(this.prims, 'dead_letter', tenant, this.deliveryKey, 0, msOf(eventTime));
  }

  /** The intent born from this telemetry event (a function of the event, not of its delivery). */
  intent(tenant: string, eventTime: string): string {
    return deterministicUlid(this.prims, 'intent', tenant, this.idempotencyKey, 0, msOf(eventTime));
  }

  approval(tenant: string, eventTime: string): string {
    return deterministicUlid(this.prims, 'approval', tenant, this.idempotencyKey, 0, msOf(eventTime));
  }

  revertIntent(tenant: string, revertedIntentId: string, endsAt: string): string {
    return deterministicUlid(this.prims, 'revert', tenant, revertedIntentId, 0, msOf(endsAt));
  }
}

export function deterministicUlid(prims: Primitives, kind: IdKind | string, tenant: string, key: string, index: number, eventTimeMs: number): string {
  const hex = prims.sha256Hex(`${kind}\n${tenant}\n${key}\n${index}`);
  return encodeUlid(Math.min(Math.max(Math.floor(eventTimeMs), 0), MAX_TIME), hex.slice(0, 20));
}

/** 10 time chars (48 bits, big-endian) then 16 chars for 80 bits given as 20 hex digits. */
export function encodeUlid(timeMs: number, randomHex20: string): string {
  let time = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  // 80 bits = 16 groups of 5 bits; consume hex (4 bits each) through a small bit buffer.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 20; i++) {
    buffer = (buffer << 4) | HEX_VALUE[randomHex20.charCodeAt(i) & 127]!;
    bits += 4;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  return time + out;
}

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Canonical upper-case Crockford ULID (26 chars, first char ≤ 7 so the time fits 48 bits). */
export function isUlid(text: string): boolean {
  return ULID_RE.test(text);
}
