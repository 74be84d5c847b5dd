// The run deadline on a hand-moved clock: remaining time shrinks with the clock, bound() never exceeds it.
import { describe, expect, it } from 'vitest';
import { createDeadline } from '../../../src/lib/deadline.js';

describe('createDeadline', () => {
  it('counts down from its budget, cuts longer bounds to what is left and passes at zero', () => {
    let t = 1000;
    const deadline = createDeadline(() => t, 5000);
    expect(deadline.remainingMs()).toBe(5000);
    expect(deadline.bound(30_000)).toBe(5000);
    expect(deadline.bound(2000)).toBe(2000);
    t += 4500;
    expect(deadline.bound(2000)).toBe(500);
    expect(deadline.passed()).toBe(false);
    t += 0.75;
    expect(deadline.bound(2000)).toBe(499);
    t += 600;
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.bound(2000)).toBe(0);
    expect(deadline.passed()).toBe(true);
  });
});
