// The lifecycle's process-wide parts: creates on one firewall run one at a time, others in parallel.
import { describe, expect, it } from '@jest/globals';
import { KeyedLock } from '../../src/lifecycle/services.ts';

describe('KeyedLock', () => {
  it('runs work of one key one after another, in order, and of other keys at once', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let releaseFirst = (): void => undefined;
    const first = lock.run('fw-1', async () => {
      events.push('a start');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      events.push('a end');
      return 'a';
    });
    const second = lock.run('fw-1', () => {
      events.push('b');
      return Promise.resolve('b');
    });
    const other = lock.run('fw-2', () => {
      events.push('other');
      return Promise.resolve('other');
    });
    expect(await other).toBe('other');
    expect(events).toEqual(['a start', 'other']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'other', 'a end', 'b']);
  });

  it('goes on after a failure, which reaches only its own caller', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('fw', () => Promise.reject(new Error('boom')));
    const next = lock.run('fw', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
