import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { captureTaskListFromBody, taskIdOf, upstreamErrorFromBody, WireFormatError } from '../../src/upstream/wire.ts';

/** An example body from CFW's documentation, copied into test/fixtures (see its README). */
function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/upstream/examples/${name}`, import.meta.url), 'utf8'));
}

function exampleText(name: string): string {
  return readFileSync(new URL(`../fixtures/upstream/examples/${name}`, import.meta.url), 'utf8');
}

const task = (id: string) => ({ task_id: id, name: `task-${id}`, status: 1 });

describe('captureTaskListFromBody', () => {
  it('reads the documented 200 answer (examples/list-200.json)', () => {
    const answer = captureTaskListFromBody(example('list-200.json'));
    expect(answer.total).toBe(1);
    expect(answer.records).toHaveLength(1);
    expect(answer.records.map(taskIdOf)).toEqual(['24e6bb6d-d335-48fd-b9c7-bbaaa851d209']);
    expect(answer.records[0]).toMatchObject({ name: 'zhuabaotest', status: 2, protocol: -1, capture_size: '--', created_date: '2024/06/04 11:23:50' });
  });

  it('reads the older shape, data as a one-element array (examples/list-200-legacy-array.json)', () => {
    const answer = captureTaskListFromBody(example('list-200-legacy-array.json'));
    expect(answer.total).toBe(1);
    expect(answer.records.map(taskIdOf)).toEqual(['6f1c2a4e-8a43-4c1e-9a0e-2b7d1c3e5f01']);
    expect(answer.records[0]).toMatchObject({ name: 'v6-capture', source_address: '2001:db8::2', source_address_type: 1, capture_size: '500kb' });
  });

  it('reads an empty legacy array as an empty list', () => {
    expect(captureTaskListFromBody({ data: [] })).toEqual({ total: 0, records: [] });
  });

  it('reads missing or null records as none', () => {
    expect(captureTaskListFromBody({ data: { total: 0 } })).toEqual({ total: 0, records: [] });
    expect(captureTaskListFromBody({ data: { total: 3, records: null } })).toEqual({ total: 3, records: [] });
  });

  it('tolerates extra fields at every level', () => {
    const answer = captureTaskListFromBody({
      trace: 'x',
      data: {
        limit: 2,
        offset: 0,
        total: 2,
        object_id: 'fw',
        future: { nested: [1, 2] },
        records: [{ ...task('a'), future_field: { nested: true } }, task('b')],
      },
    });
    expect(answer.total).toBe(2);
    expect(answer.records.map(taskIdOf)).toEqual(['a', 'b']);
    expect(answer.records[0]).toHaveProperty('future_field', { nested: true });
  });

  it('keeps record values it cannot read for the field resolvers, since one bad value costs one field', () => {
    const answer = captureTaskListFromBody({ data: { total: 1, records: [{ task_id: 'a', status: 'broken', created_date: 'yesterday' }] } });
    expect(answer.records).toEqual([{ task_id: 'a', status: 'broken', created_date: 'yesterday' }]);
  });

  it('keeps the records and the total as sent, for any list', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 30 }), fc.nat({ max: 100_000 }), fc.boolean(), (ids, extra, legacy) => {
        const page = { limit: 50, offset: 0, total: ids.length + extra, records: ids.map(task) };
        const answer = captureTaskListFromBody({ data: legacy ? [{ ...page, object_id: 'fw', project_id: 'p' }] : page });
        expect(answer.total).toBe(ids.length + extra);
        expect(answer.records.map(taskIdOf)).toEqual(ids);
      }),
    );
  });

  it.each([[null], [undefined], ['{"data":{}}'], [42], [[{ data: { total: 0 } }]]])('rejects the non-object body %p', (body) => {
    expect(() => captureTaskListFromBody(body)).toThrow(WireFormatError);
    expect(() => captureTaskListFromBody(body)).toThrow('the answer is not a JSON object');
  });

  it.each([[{}], [{ data: null }], [{ data: 'page' }], [{ Data: { total: 0 } }], [{ data: [null] }], [{ data: ['page'] }]])(
    'rejects %p, which has no data object',
    (body) => {
      expect(() => captureTaskListFromBody(body)).toThrow(WireFormatError);
      expect(() => captureTaskListFromBody(body)).toThrow('the answer has no `data` object');
    },
  );

  it.each([[{ '0': task('a') }], ['a'], [5]])('rejects records %p, which are not an array', (records) => {
    expect(() => captureTaskListFromBody({ data: { total: 1, records } })).toThrow(new WireFormatError('`data.records` is not an array'));
  });

  it('rejects a record that is not an object, naming its index', () => {
    expect(() => captureTaskListFromBody({ data: { total: 3, records: [task('a'), 'b', task('c')] } })).toThrow(
      new WireFormatError('record 1 is not an object'),
    );
    expect(() => captureTaskListFromBody({ data: { total: 1, records: [null] } })).toThrow(new WireFormatError('record 0 is not an object'));
    expect(() => captureTaskListFromBody({ data: { total: 1, records: [[task('a')]] } })).toThrow(new WireFormatError('record 0 is not an object'));
  });

  it.each([[{ name: 'no id' }], [{ task_id: '' }], [{ task_id: 5 }], [{ task_id: null }]])('rejects the record %p, which has no task_id', (record) => {
    expect(() => captureTaskListFromBody({ data: { total: 2, records: [task('a'), record] } })).toThrow(new WireFormatError('record 1 has no `task_id`'));
  });

  it('rejects a page without a total', () => {
    expect(() => captureTaskListFromBody({ data: { records: [task('a')] } })).toThrow(new WireFormatError('`data.total` is missing'));
    expect(() => captureTaskListFromBody({ data: { total: null, records: [] } })).toThrow(new WireFormatError('`data.total` is missing'));
  });

  it.each([[-1], [1.5], ['3'], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53]])('rejects the total %p', (total) => {
    expect(() => captureTaskListFromBody({ data: { total, records: [] } })).toThrow(new WireFormatError('`data.total` is not a non-negative integer'));
  });

  it('throws errors named WireFormatError', () => {
    let caught: unknown;
    try {
      captureTaskListFromBody({});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WireFormatError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toHaveProperty('name', 'WireFormatError');
  });
});

describe('upstreamErrorFromBody', () => {
  it('reads a CFW 400 body (examples/error-400-not-found.json), which has no request id', () => {
    expect(upstreamErrorFromBody(example('error-400-not-found.json'))).toEqual({ errorCode: 'CFW.00200005' });
  });

  it('reads an APIG 401 body (examples/error-401-token.json) with its request id', () => {
    expect(upstreamErrorFromBody(example('error-401-token.json'))).toEqual({ errorCode: 'APIG.0301', requestId: '2d1b5c6e8f0a4b3c9d7e1f2a3b4c5d6e' });
  });

  it('reads the same bodies as text and as bytes', () => {
    const text = exampleText('error-401-token.json');
    const expected = { errorCode: 'APIG.0301', requestId: '2d1b5c6e8f0a4b3c9d7e1f2a3b4c5d6e' };
    expect(upstreamErrorFromBody(text)).toEqual(expected);
    expect(upstreamErrorFromBody(new TextEncoder().encode(text))).toEqual(expected);
    expect(upstreamErrorFromBody(Buffer.from(text))).toEqual(expected);
  });

  it.each([['<html><body>502 Bad Gateway</body></html>'], [''], ['{"error_code":']])('gives {} for the text %p, which is not JSON', (body) => {
    expect(upstreamErrorFromBody(body)).toEqual({});
  });

  it.each([[null], [undefined], [42], [['CFW.00200005']], ['"CFW.00200005"']])('gives {} for %p, which is not an object', (body) => {
    expect(upstreamErrorFromBody(body)).toEqual({});
  });

  it.each([['CFW.0020<script>'], ['CFW 00200005'], ['CFW.002"00005'], [''], ['A'.repeat(33)], [200005]])(
    'drops the error_code %p and keeps the request id',
    (code) => {
      expect(upstreamErrorFromBody({ error_code: code, error_msg: 'x', request_id: 'abc-123' })).toEqual({ requestId: 'abc-123' });
    },
  );

  it('drops a request_id with odd characters or of excessive length', () => {
    expect(upstreamErrorFromBody({ error_code: 'APIG.0301', request_id: 'abc def' })).toEqual({ errorCode: 'APIG.0301' });
    expect(upstreamErrorFromBody({ error_code: 'APIG.0301', request_id: 'a'.repeat(65) })).toEqual({ errorCode: 'APIG.0301' });
  });

  it('never copies error_msg', () => {
    expect(upstreamErrorFromBody({ error_code: 'CFW.00200005', error_msg: 'secret detail' })).not.toHaveProperty('errorMsg');
  });
});
