// Whether the tests run under CI, decided one way for every suite that must not quietly skip there
// (the Redis suite, the browser suite).

/** CI as most CI services set it: any value but empty, `false` or `0`. */
export function isCi(ci: string | undefined): boolean {
  return ci !== undefined && !['', 'false', '0'].includes(ci.trim().toLowerCase());
}
