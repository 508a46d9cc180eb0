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

/** Deterministic log-like text: words and numbers, with repeats at many distances (compresses about as logs do). */
export function pseudoText(seed: number, length: number): Buffer {
  const words = ['backup', 'server', 'client', 'chunk', 'restore', 'quota', 'policy', 'manifest', 'pack', 'agent'];
  const random = pseudoRandom(seed, length);
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${words[random[i % length]! % words.length]}${random[(i + 1) % length]! % 100} `;
  return Buffer.from(out.slice(0, length));
}
