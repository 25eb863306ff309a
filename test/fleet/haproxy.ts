// The balancer's configuration as text (HAProxy 2.6, Debian 12's), and its stats page read back.
// Pure: the fleet writes the text to a file and runs `haproxy -f <file> -db`.

export interface BalancerPlan {
  /** Where clients connect. */
  readonly port: number;
  /** HAProxy's stats page (`/stats;csv`), for waiting on a server's state. */
  readonly statsPort: number;
  /** The gateways, by name. */
  readonly servers: readonly { readonly name: string; readonly port: number }[];
}

/** The backend's name in the configuration and on the stats page. */
export const BACKEND = 'gateways';

/**
 * The balancer: round robin, health-checked on /readyz every second (down after 2 failed
 * checks, up after 2 good ones), each retry on another server (`option redispatch 1`), connections
 * to the servers kept alive (HAProxy's default `http-reuse safe`); `X-Served-By` names the server
 * that answered.
 *
 * Retries: a POST (every mutation, and the load's reads unless told otherwise) is retried only when
 * no connection could be made (`retry-on conn-failure`; `disable-l7-retry` for anything but GET), so
 * a POST a gateway accepted is never sent twice and an answer lost in a restart is the gateway's
 * drain failing, not hidden by the balancer. A GET, which only reads, is also retried when the
 * server closed without answering (`empty-response`): that is how reads in flight on a killed
 * instance are saved, and the only request it applies to.
 */
export function haproxyConfig(plan: BalancerPlan): string {
  if (plan.servers.length === 0) throw new RangeError('a balancer needs at least one server');
  const lines = [
    'global',
    '  maxconn 4096',
    // One line per request on stdout (the run's haproxy.log): termination state and retries of each.
    '  log stdout format raw local0',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 30s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '',
    'frontend fleet',
    `  bind 127.0.0.1:${plan.port}`,
    `  default_backend ${BACKEND}`,
    '',
    `backend ${BACKEND}`,
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 1s fall 2 rise 2',
    '  http-request disable-l7-retry if !METH_GET',
    '  http-response set-header x-served-by %[srv_name]',
    ...plan.servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    '',
    'frontend stats',
    `  bind 127.0.0.1:${plan.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '  stats refresh 1s',
    '',
  ];
  return lines.join('\n');
}

/** A server's state on HAProxy's stats page: `UP`, `DOWN`, `UP 1/2` while rising, `MAINT`, `no check`. */
export type ServerStates = ReadonlyMap<string, string>;

/** The states of `backend`'s servers from the stats page's CSV (`/stats;csv`). */
export function serverStatesFromCsv(csv: string, backend: string = BACKEND): ServerStates {
  const [header, ...rows] = csv.split('\n');
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const proxy = columns.indexOf('pxname');
  const server = columns.indexOf('svname');
  const status = columns.indexOf('status');
  if (proxy === -1 || server === -1 || status === -1) throw new Error(`not HAProxy's stats CSV: ${JSON.stringify(header?.slice(0, 80))}`);
  const states = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split(',');
    const name = cells[server];
    if (cells[proxy] !== backend || name === undefined || name === 'FRONTEND' || name === 'BACKEND') continue;
    states.set(name, cells[status] ?? '');
  }
  return states;
}
