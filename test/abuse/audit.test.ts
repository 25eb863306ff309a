// The GraphQL over HTTP spec audits of graphql-http, run against a live gateway (introspection on,
// NODE_ENV=test) in front of a live simulator. Every MUST holds; the SHOULDs that do not are pinned,
// so a change either way is noticed (and docs/security.md's list of them kept true).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serverAudits, type AuditResult } from 'graphql-http';
import { startHarness, type Harness } from '../helpers/harness.ts';

let harness: Harness | undefined;
const urlOf = (): string => {
  if (harness === undefined) throw new Error('the harness is not running');
  return harness.url;
};
// The URL is read when an audit runs, so the audits can be listed before the harness starts.
const audits = serverAudits({ url: urlOf });
const results = new Map<string, AuditResult>();

/** An audit's result, as `{ id, name, status, reason }`, without the Response it carries. */
function summaryOf(result: AuditResult) {
  return result.status === 'ok'
    ? { id: result.id, name: result.name, status: result.status }
    : { id: result.id, name: result.name, status: result.status, reason: result.reason };
}

/**
 * The SHOULD audits the gateway does not meet. Apollo Server answers a document that does not parse
 * or validate, or variables that do not coerce, with 400 even to an `application/json` client; the
 * spec recommends 200 there (400 only for `application/graphql-response+json`).
 */
const SHOULD_NOT_OK = [
  {
    id: '572B',
    name: 'SHOULD use 200 status code on document parsing failure when accepting application/json',
    status: 'warn',
    reason: 'Response status code is not 200',
  },
  {
    id: 'FDE2',
    name: 'SHOULD use 200 status code on document validation failure when accepting application/json',
    status: 'warn',
    reason: 'Response status code is not 200',
  },
  {
    id: '7B9B',
    name: 'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
    status: 'warn',
    reason: 'Response status code is not 200',
  },
];

describe('GraphQL over HTTP audits (graphql-http) against the gateway, introspection on', () => {
  beforeAll(async () => {
    harness = await startHarness({ fallbackToken: 'demo-token' });
    // One after another: each audit is one or two requests, and their order is the library's.
    for (const audit of audits) results.set(audit.id, await audit.fn());
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('lists MUST and SHOULD audits to run', () => {
    expect(audits.filter((audit) => audit.name.startsWith('MUST')).length).toBeGreaterThanOrEqual(10);
    expect(audits.filter((audit) => audit.name.startsWith('SHOULD')).length).toBeGreaterThanOrEqual(10);
    expect(results.size).toBe(audits.length);
  });

  for (const audit of audits.filter((candidate) => candidate.name.startsWith('MUST'))) {
    it(`${audit.id}: ${audit.name}`, () => {
      const result = results.get(audit.id);
      if (result === undefined) throw new Error(`audit ${audit.id} did not run`);
      expect(summaryOf(result)).toEqual({ id: audit.id, name: audit.name, status: 'ok' });
    });
  }

  it('misses exactly the pinned SHOULD audits, with their reasons', () => {
    const notOk = [...results.values()].filter((result) => result.name.startsWith('SHOULD') && result.status !== 'ok').map(summaryOf);
    expect(notOk).toEqual(SHOULD_NOT_OK);
  });
});
