// List answers serialised once and reused while the firewall's list is unchanged (the list is the
// hot path: bench (a) measures the simulator itself).
import { boundedCache } from '../bounded-cache.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';

/** Where a page is cut from, and in which shape it is answered. */
export interface PageOf {
  readonly firewallId: string;
  /** store.versionOf(firewallId): pages serialised at one version stay valid. */
  readonly version: number;
  readonly tasks: readonly CaptureTaskRecord[];
  readonly offset: number;
  readonly limit: number;
  /** The shape used before late 2024: `data` as a one-element array. */
  readonly legacyShape: boolean;
  readonly projectId: string;
}

export class PageCache {
  readonly #bodies = boundedCache<string, string>(5_000);

  /** The list answer's body for a page. */
  bodyOf({ firewallId, version, tasks, offset, limit, legacyShape, projectId }: PageOf): string {
    const key = `${firewallId}|${version}|${offset}|${limit}|${legacyShape}`;
    const cached = this.#bodies.get(key);
    if (cached !== undefined) return cached;
    const page = { limit, offset, total: tasks.length, records: tasks.slice(offset, offset + limit) };
    const body = JSON.stringify({ data: legacyShape ? [{ ...page, object_id: firewallId, project_id: projectId }] : page });
    this.#bodies.set(key, body);
    return body;
  }
}
