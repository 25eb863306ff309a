// One measurement: autocannon against a URL for a while, with the server's CPU time and peak RSS
// read from /proc around it, and exact latency percentiles (autocannon's histogram rounds to ms).
import autocannon from 'autocannon';
import os from 'node:os';
import { cpuMsOf, machineBusyMs, sampleProcess } from './processes.ts';

export interface LoadOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  /** Every answer must be exactly this; anything else counts as a mismatch. */
  readonly expectBody?: string;
  /** Distinct requests: each one's headers and body, asked for as it is sent (all connections share the sequence). */
  readonly next?: () => { readonly headers: Record<string, string>; readonly body: string };
  /** With `next`: whether an answer is acceptable; one that is not counts as a mismatch. */
  readonly verifyBody?: (body: string) => boolean;
  readonly connections: number;
  readonly durationS: number;
  /** The process serving `url`, whose CPU and memory are read. */
  readonly pid: number;
  /** Other processes of the bench busy meanwhile (the simulator), not counted as foreign load. */
  readonly helperPids: readonly number[];
}

export interface Measurement {
  /** 2xx answers per second. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's CPU time (user + system) per 2xx answer, in µs. */
  readonly cpuUsPerRequest: number;
  /** The server's highest VmRSS during the measurement, in kB. */
  readonly peakRssKb: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly mismatches: number;
  /** Share of the machine's CPU used by processes outside the bench meanwhile (0..1): noise. */
  readonly foreignCpuShare: number;
  /** The gateway's event-loop delay during the measurement (from its /metrics), when read. */
  readonly loopDelay?: { readonly p99Ms: number; readonly maxMs: number };
}

/** The q-quantile of ascending `sorted`, by the nearest-rank rule. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** autocannon hands verifyBody the body as it collected it. */
function verifyWith(verify: (body: string) => boolean): (body: autocannon.Request['body']) => boolean {
  return (body) => verify(typeof body === 'string' ? body : (body?.toString() ?? ''));
}

export async function measure(options: LoadOptions): Promise<Measurement> {
  const latencies: number[] = [];
  const next = options.next ?? (() => ({ headers: options.headers, body: options.body ?? '' }));
  const stopSampling = sampleProcess(options.pid);
  const helpers = options.helperPids.filter((pid) => pid !== options.pid);
  const helperCpu = () => helpers.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const helperBefore = helperCpu();
  const ownBefore = process.cpuUsage();
  const busyBefore = machineBusyMs();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method,
        headers: options.headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
        ...(options.verifyBody === undefined ? {} : { verifyBody: verifyWith(options.verifyBody) }),
        ...(options.next === undefined
          ? {}
          : {
              requests: [
                {
                  setupRequest: (request: autocannon.Request) => {
                    const { headers, body } = next();
                    return { ...request, method: options.method, headers, body };
                  },
                },
              ],
            }),
        connections: options.connections,
        duration: options.durationS,
      },
      (error: unknown, done: autocannon.Result) => {
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(done);
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const elapsedS = (performance.now() - started) / 1000;
  const { cpuMs, peakRssKb } = stopSampling();
  const own = process.cpuUsage(ownBefore);
  const oursMs = cpuMs + (helperCpu() - helperBefore) + (own.user + own.system) / 1000;
  const foreignMs = Math.max(0, machineBusyMs() - busyBefore - oursMs);
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    rps: ok / elapsedS,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerRequest: ok === 0 ? Number.NaN : (cpuMs * 1000) / ok,
    peakRssKb,
    requests: ok,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    foreignCpuShare: foreignMs / (elapsedS * 1000 * os.availableParallelism()),
  };
}
