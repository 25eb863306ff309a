// The upstream answer's size bound: the pure decision, and the default sized from the largest real page.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_RESPONSE_BYTES, loadConfig } from '../../src/config.ts';
import { exceedsResponseBound } from '../../src/upstream/client.ts';

/** The longest plausible CaptureTaskVO: every field present and at its longest, the name all \uXXXX escapes, CFW's pretty-printing. */
function longestRecord(index: number): Record<string, unknown> {
  const ipv6 = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
  return {
    capture_size: '1023.99mb',
    created_date: '2024/06/04 11:23:50',
    dest_address: ipv6,
    dest_address_type: 1,
    dest_port: '65535',
    duration: 60,
    is_deleted: 0,
    max_packets: 1_000_000,
    modified_date: '2024/06/04 11:23:50',
    name: '\u6293'.repeat(255),
    protocol: 58,
    remaining_days: 7,
    source_address: ipv6,
    source_address_type: 1,
    source_port: '65535',
    status: 2,
    task_id: `24e6bb6d-d335-48fd-b9c7-${String(index).padStart(12, '0')}`,
  };
}

/** JSON as CFW prints it (`{ "key" : value, … }`), non-ASCII escaped: the longest form of the same page. */
function cfwJson(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replaceAll('": ', '" : ')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

describe('the upstream answer size bound', () => {
  it('is passed by bytes read beyond the limit, or by a declared length beyond it', () => {
    expect(exceedsResponseBound({ transferred: 100, total: undefined }, 100)).toBe(false);
    expect(exceedsResponseBound({ transferred: 101, total: undefined }, 100)).toBe(true);
    expect(exceedsResponseBound({ transferred: 0, total: 100 }, 100)).toBe(false);
    expect(exceedsResponseBound({ transferred: 0, total: 101 }, 100)).toBe(true);
  });

  it('defaults to 4× the largest real page: 1,024 records with every field at its longest', () => {
    const page = cfwJson({ data: { limit: 1024, offset: 0, total: 1_000_000, records: Array.from({ length: 1024 }, (_, index) => longestRecord(index)) } });
    const bytes = Buffer.byteLength(page);
    expect(bytes).toBeGreaterThan(1_900_000);
    expect(bytes).toBeLessThan(2_300_000);
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
    expect(DEFAULT_MAX_RESPONSE_BYTES / bytes).toBeGreaterThan(3.5);
  });

  it('is set by CFW_MAX_RESPONSE_BYTES, a whole number of bytes', () => {
    expect(loadConfig({}).upstream.maxResponseBytes).toBe(DEFAULT_MAX_RESPONSE_BYTES);
    expect(loadConfig({ CFW_MAX_RESPONSE_BYTES: '1048576' }).upstream.maxResponseBytes).toBe(1_048_576);
    expect(() => loadConfig({ CFW_MAX_RESPONSE_BYTES: '8MB' })).toThrow('CFW_MAX_RESPONSE_BYTES must be a whole number from 1 to 1073741824');
  });
});
