// Start-up: config → the embedded simulator when no CFW endpoint is configured → the gateway.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError, configDeprecations, loadConfig, redactedConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createGateway } from './server/edge.ts';
import { exampleQueryFor } from './server/explorer.ts';
// A pure flag parser with no imports of its own: the simulator itself is loaded only when used.
import { timeScaleOf } from './simulator/timeline.ts';
import type { Simulator } from './simulator/server.ts';
import type { Tracing } from './tracing.ts';
import { createUpstreamHttp, upstreamOptionsFrom } from './upstream/client.ts';

/** A command-line argument the gateway cannot start with. */
class StartError extends Error {}

function isGc(value: unknown): value is (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void {
  return typeof value === 'function';
}

/**
 * One memory-reducing full collection once start-up is done: loading the modules and building the
 * schema leave ~35 MB of garbage and free heap that V8 keeps otherwise (measured: heap 60 → 23 MB,
 * RSS −21 MB; it takes a few ms). V8's gc() is reached through a fresh context, as Node documents
 * for --expose-gc set at run time.
 */
function releaseStartUpMemory(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (isGc(gc)) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

async function main(): Promise<void> {
  // `npm start -- --time-scale 60`: the embedded simulator's time runs 60 times faster, for trying captures.
  const timeScaleIndex = process.argv.indexOf('--time-scale');
  const timeScale = timeScaleIndex === -1 ? 1 : timeScaleOf(process.argv[timeScaleIndex + 1] ?? '');
  if (timeScale instanceof Error) throw new StartError(timeScale.message);
  const config = loadConfig();
  if (process.argv.includes('--print-config')) {
    for (const deprecation of configDeprecations()) process.stderr.write(`warning: ${deprecation}\n`);
    process.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
    return;
  }
  const logger = createLogger(config.logLevel);
  for (const deprecation of configDeprecations()) logger.warn(deprecation);
  // What the configuration does not use is not loaded: the OpenTelemetry SDK only with an OTLP
  // endpoint, the simulator only without a CFW endpoint.
  const tracing: Tracing | undefined = config.tracing.otlpEndpoint === undefined ? undefined : await (await import('./tracing.ts')).startTracing({});
  if (tracing !== undefined) logger.info({ endpoint: config.tracing.otlpEndpoint }, 'OpenTelemetry tracing on');

  let simulator: Simulator | undefined;
  let endpoint = config.upstream.endpoint;
  let projectId = config.upstream.projectId;
  let demo: { readonly token: string; readonly firewall: string } | undefined;
  if (endpoint === undefined) {
    const [{ DEMO_TOKEN, Simulator }, { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID }] = await Promise.all([
      import('./simulator/server.ts'),
      import('./simulator/store.ts'),
    ]);
    simulator = new Simulator({ timeScale });
    endpoint = await simulator.listen(0, '127.0.0.1');
    projectId = SIMULATOR_PROJECT_ID;
    demo = { token: DEMO_TOKEN, firewall: SIMULATOR_FIREWALLS.demo };
    logger.info({ endpoint, timeScale }, 'no CFW_ENDPOINT: serving from the embedded CFW simulator');
  }
  if (projectId === undefined) throw new Error('CFW_PROJECT_ID is required with CFW_ENDPOINT (config should have refused this)');

  const upstream = createUpstreamHttp(upstreamOptionsFrom(config, endpoint, projectId));
  const exampleQuery = demo === undefined ? undefined : exampleQueryFor(demo.firewall);
  // It throws a ConfigError for what only the gateway can check (the trusted-documents manifest
  // against the schema), and listen() for a port that is taken or a host that does not resolve.
  const gateway = await createGateway({ config, logger, upstream, fallbackToken: demo?.token, exampleQuery });
  releaseStartUpMemory();
  const url = await gateway.listen();

  const lines = [`capture-gateway ready at ${url}`];
  if (config.explorer === 'sandbox') lines.push(`Apollo Sandbox: open ${url} in a browser (it loads from Apollo's CDN; EXPLORER=graphiql works offline).`);
  if (config.explorer === 'graphiql') lines.push(`GraphiQL: open ${url} in a browser (served by the gateway; works offline).`);
  if (exampleQuery !== undefined && demo !== undefined) {
    lines.push('Upstream: the embedded CFW simulator (set CFW_ENDPOINT and CFW_PROJECT_ID for the real API).');
    lines.push('Try this query (no token needed in simulator mode):', '', exampleQuery, '');
    lines.push(
      `or: curl -s ${url} -H 'content-type: application/json' -d '${JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${demo.firewall}", first: 3) { totalCount edges { node { id name status } } } }` })}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  // SIGTERM (a balancer's or an orchestrator's stop) leaves for DRAIN_DELAY_MS first, so health
  // checks see the instance go before its socket closes; SIGINT is a person at a terminal: at once.
  const stop = (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    stopping = true;
    const leaveDelayMs = signal === 'SIGTERM' ? config.drainDelayMs : 0;
    logger.info({ signal, leaveDelayMs }, 'shutting down: finishing in-flight operations (after leaving for leaveDelayMs)');
    const force = setTimeout(() => {
      logger.error('in-flight operations did not finish in time; exiting');
      process.exit(1);
    }, leaveDelayMs + config.shutdownTimeoutMs);
    force.unref();
    void gateway
      .close({ leaving: leaveDelayMs === 0 ? undefined : new Promise((resolve) => setTimeout(resolve, leaveDelayMs)) })
      .then(() => simulator?.close())
      .then(() => tracing?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

try {
  await main();
} catch (error) {
  // The one exit for a start the configuration (or the command line) refused: its problems, status 2.
  if (!(error instanceof ConfigError || error instanceof StartError)) throw error;
  process.stderr.write(`capture-gateway cannot start.\n${error.message}\n`);
  process.exit(2);
}
