// Runs a command for the image check and says what it printed; long ones write to a log file.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export class CommandError extends Error {
  readonly command: string;
  readonly outcome: Outcome;

  constructor(command: string, outcome: Outcome, log?: string) {
    const tail = `${outcome.stdout}\n${outcome.stderr}`.trim().split('\n').slice(-15).join('\n');
    super(`\`${command}\` exited with ${outcome.code}${log === undefined ? '' : ` (log: ${log})`}:\n${tail}`);
    this.name = 'CommandError';
    this.command = command;
    this.outcome = outcome;
  }
}

export interface RunOptions {
  /** Where stdout and stderr go as well, for commands whose output is long (builds). */
  readonly log?: string;
  readonly cwd?: string;
  /** A non-zero exit is an answer, not an error (for checks that expect one). */
  readonly allowFailure?: boolean;
}

/** Runs `command` with `args`; rejects with a CommandError when it exits non-zero, unless allowFailure. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.log === undefined ? undefined : createWriteStream(options.log, { flags: 'a' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    log?.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    log?.write(chunk);
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      resolve(exitCode ?? (signal === null ? -1 : 128));
    });
  });
  await new Promise<void>((resolve) => {
    if (log === undefined) resolve();
    else log.end(resolve);
  });
  const outcome = { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
  if (code !== 0 && options.allowFailure !== true) throw new CommandError([command, ...args].join(' '), outcome, options.log);
  return outcome;
}
