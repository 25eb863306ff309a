// One subscriber's stream: a slow consumer holds at most one unsent state, never a repeat.
import { describe, expect, it, jest } from '@jest/globals';
import { LatestChannel } from '../../src/live/latest.ts';

describe('LatestChannel', () => {
  it('keeps only the latest unsent state for a consumer that does not read', async () => {
    const channel = new LatestChannel<string>();
    for (let index = 0; index < 10_000; index++) channel.offer(`state ${index}`, `key ${index}`);
    expect(channel.replaced).toBe(9_999);
    await expect(channel.next()).resolves.toEqual({ value: 'state 9999', done: false });
  });

  it('drops a state equal to the last one sent, even when it replaced a different unsent one', async () => {
    const channel = new LatestChannel<string>();
    channel.offer('A', 'a');
    await expect(channel.next()).resolves.toEqual({ value: 'A', done: false });
    channel.offer('B', 'b');
    channel.offer('A again', 'a');
    channel.end();
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
    expect(channel.delivered).toBe(1);
  });

  it('hands a waiting consumer the next state, then the last item, then the end', async () => {
    const channel = new LatestChannel<string>();
    const first = channel.next();
    channel.offer('A', 'a');
    await expect(first).resolves.toEqual({ value: 'A', done: false });
    channel.offer('B', 'b');
    channel.end('the end');
    await expect(channel.next()).resolves.toEqual({ value: 'B', done: false });
    await expect(channel.next()).resolves.toEqual({ value: 'the end', done: false });
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
    channel.offer('C', 'c');
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('tells once that the consumer left before the end, and ends a waiting next()', async () => {
    const onReturn = jest.fn();
    const channel = new LatestChannel<string>(onReturn);
    const waiting = channel.next();
    await channel.return();
    await channel.return();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(onReturn).toHaveBeenCalledTimes(1);
  });

  it('does not tell of a return after the producer ended it', async () => {
    const onReturn = jest.fn();
    const channel = new LatestChannel<string>(onReturn);
    channel.end();
    await channel.return();
    expect(onReturn).not.toHaveBeenCalled();
  });
});
