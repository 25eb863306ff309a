// A fake Date for code that reads the time with Date.now() (cockatiel's circuit breaker): only
// Date is faked, so timers, I/O and the event loop stay real and the time moves only when the
// test sets it (jest.setSystemTime). Undo with jest.useRealTimers().
import { jest } from '@jest/globals';

export function fakeDateOnly(now?: number): void {
  // Everything jest can fake except Date, left real: a list of names, not a wait.
  jest.useFakeTimers({
    ...(now === undefined ? {} : { now }),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
