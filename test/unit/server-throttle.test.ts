/** The replication bandwidth limit (API.md: KiB/s for all the traffic of one configuration), on fake time. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../../src-server/replication/throttle.js';

const KIB = 1024;

/** Whether `promise` has settled once fake time has advanced by `ms`. */
async function settledAfter(promise: Promise<void>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe('Throttle', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('lets nothing wait without a limit', async () => {
    expect(await settledAfter(new Throttle(null).take(1024 * KIB * KIB), 0)).toBe(true);
  });

  it('starts empty: a second of traffic at the limit waits a second, never less', async () => {
    const throttle = new Throttle(100);
    const first = throttle.take(100 * KIB);
    expect(await settledAfter(first, 990)).toBe(false);
    expect(await settledAfter(first, 20)).toBe(true);
  });

  it('paces parts in the order they were taken, across every transfer of the configuration', async () => {
    const throttle = new Throttle(64);
    const order: number[] = [];
    const parts = [1, 2, 3].map((n) => throttle.take(64 * KIB).then(() => order.push(n)));
    await vi.advanceTimersByTimeAsync(2010);
    expect(order).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(parts);
    expect(order).toEqual([1, 2, 3]);
  });

  it('applies a changed limit from the next part on', async () => {
    const throttle = new Throttle(1);
    throttle.setLimit(null);
    expect(await settledAfter(throttle.take(10 * KIB * KIB), 0)).toBe(true);
    expect(throttle.limitKBps).toBeNull();
  });
});
