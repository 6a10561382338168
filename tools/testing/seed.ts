/** Seeded randomness for tests whose points of attack vary run to run: the seed is logged, and EXOARMUR_TEST_SEED replays a run. */
import { randomInt } from 'node:crypto';

export function testSeed(env: Record<string, string | undefined> = process.env): number {
  const given = env['EXOARMUR_TEST_SEED'];
  return given === undefined || given === '' ? randomInt(2 ** 31) : Number(given);
}

/** mulberry32: a small deterministic generator of floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
