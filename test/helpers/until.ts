// Waiting on a condition, not on the clock: the condition is checked once per turn of the event
// loop (after pending I/O), so a test waits exactly as long as the event takes, however loaded the
// machine is, and never a fixed number of milliseconds.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Resolves once `condition` holds; rejects naming `what` if it still does not after `turns` turns. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, turns = 1_000_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (await condition()) return;
    await nextTurn();
  }
  throw new Error(`still waiting for ${what} after ${turns} turns of the event loop`);
}
