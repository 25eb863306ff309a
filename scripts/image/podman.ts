// podman's command lines on these machines: pure. No Docker engine and no registry are reachable:
// Debian's podman as root, with runc (crun refuses the hybrid cgroup layout), cgroupfs, explicit
// ulimits (raising limits is not permitted here) and the host's network.

export const GLOBAL_FLAGS: readonly string[] = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
export const LIMITS: readonly string[] = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

/** Any podman command, with the flags every one needs here. */
export function podmanArgs(...args: readonly string[]): string[] {
  return [...GLOBAL_FLAGS, ...args];
}

export interface BuildOptions {
  readonly tag: string;
  readonly context: string;
  readonly file?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * `podman build` from local images only (`--pull=never`: no registry), in Docker's image format:
 * podman's default, OCI, drops HEALTHCHECK.
 */
export function buildArgs(options: BuildOptions): string[] {
  const labels = Object.entries(options.labels ?? {}).flatMap(([name, value]) => ['--label', `${name}=${value}`]);
  const file = options.file === undefined ? [] : ['--file', options.file];
  return podmanArgs('build', '--pull=never', '--format', 'docker', '--network=host', ...LIMITS, ...labels, ...file, '--tag', options.tag, options.context);
}

export interface RunOptions {
  readonly name: string;
  readonly image: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments after the image (the image's CMD when absent). */
  readonly command?: readonly string[];
}

/**
 * A detached container as an operator should run the image: read-only root with no writable
 * /tmp, /var/tmp or /run either (podman mounts them by default; --read-only-tmpfs=false does not),
 * no capabilities at all.
 */
export function runArgs(options: RunOptions): string[] {
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  return podmanArgs(
    'run',
    '--detach',
    '--name',
    options.name,
    '--network=host',
    '--read-only',
    '--read-only-tmpfs=false',
    '--cap-drop=ALL',
    ...LIMITS,
    ...env,
    options.image,
    ...(options.command ?? []),
  );
}

/** The simulator from the same image, on a loopback port. */
export function simulatorCommand(port: number): string[] {
  return ['node', 'dist/simulator/main.js', '--host', '127.0.0.1', '--port', String(port)];
}

/** The gateway's settings in the check: loopback only, the simulator container as its upstream. */
export interface GatewaySettings {
  readonly port: number;
  readonly simulatorPort: number;
  readonly projectId: string;
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
}

export function gatewayEnv(settings: GatewaySettings): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: String(settings.port),
    CFW_ENDPOINT: `http://127.0.0.1:${settings.simulatorPort}`,
    CFW_PROJECT_ID: settings.projectId,
    DRAIN_DELAY_MS: String(settings.drainDelayMs),
    SHUTDOWN_TIMEOUT_MS: String(settings.shutdownTimeoutMs),
  };
}

/** Seconds `podman stop` waits before SIGKILL: the drain delay and the shutdown timeout, with two to spare. */
export function stopGraceSeconds(settings: Pick<GatewaySettings, 'drainDelayMs' | 'shutdownTimeoutMs'>): number {
  return Math.ceil((settings.drainDelayMs + settings.shutdownTimeoutMs) / 1000) + 2;
}

export function stopArgs(name: string, graceSeconds: number): string[] {
  return podmanArgs('stop', '--time', String(graceSeconds), name);
}
