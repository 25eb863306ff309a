// An in-memory destination for the gateway's own logger (createLogger(level, sink)), so a test can
// read back exactly what was logged.
import { Writable } from 'node:stream';

export interface MemorySink {
  /** Every line written so far, as written (one JSON record each). */
  readonly lines: string[];
  readonly sink: Writable;
}

export function memorySink(): MemorySink {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, sink };
}
