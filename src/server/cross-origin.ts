// What a page on another origin may do: which origins CORS lets read answers, and which request
// headers prove to Apollo's CSRF prevention that a request was preflighted. Pure decisions; the
// HTTP edge and Apollo Server apply them.

/** The headers a caller authenticates with (auth.ts reads them). */
export const CREDENTIAL_HEADERS = ['x-auth-token', 'authorization', 'x-api-key'] as const;

/** Apollo Server's own default `csrfPrevention.requestHeaders`. */
const APOLLO_PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'] as const;

/**
 * A request carrying any of these (non-empty) cannot come from a cross-site form or <img>: browsers
 * preflight it. So a GET with a credential header runs (urql's default), and a request with
 * neither such a header nor a JSON content type is refused as a possible CSRF, as before.
 */
export const CSRF_REQUEST_HEADERS: readonly string[] = [...CREDENTIAL_HEADERS, ...APOLLO_PREFLIGHT_HEADERS];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `http(s)://localhost|127.0.0.1|[::1]` on any port, written exactly as a browser sends an Origin. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname) && url.origin === origin;
}

export interface CorsPolicy {
  /** Origins allowed exactly as written (CORS_ORIGINS, and the hosted Sandbox outside production). */
  readonly origins: Iterable<string>;
  /** Whether any loopback origin is allowed: a frontend's local dev server (outside production). */
  readonly loopback: boolean;
}

/** Whether CORS lets a page on `origin` read the gateway's answers. */
export function corsAllows(policy: CorsPolicy): (origin: string) => boolean {
  const exact = new Set(policy.origins);
  return (origin) => exact.has(origin) || (policy.loopback && isLoopbackOrigin(origin));
}
