/**
 * The tools' one seeded generator: the hostile corpus and the soak's load and fault times repeat
 * from their seed. Sender-side randomness only (the core never draws any).
 */
import { encodeUlid } from '../../processor/core/ids.js';

/** mulberry32: a small seeded generator; the corpus needs repeatability, not cryptographic strength. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += this.int(16).toString(16);
    return out;
  }

  /** A ULID at `timeMs` with seeded random bits. */
  ulid(timeMs: number): string {
    return encodeUlid(timeMs, this.hex(20));
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = this.int(256);
    return out;
  }
}
