/**
 * Deterministic "random" bytes (xorshift32): crypto.randomBytes would make a failure impossible to
 * reproduce, and chunk boundaries must be the same on every run.
 */
export function pseudoRandom(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
