// What each GraphQL object type is resolved from (codegen's `mappers`): upstream records, read
// lazily field by field, and the paging result.
import type { Page } from '../paging/walk.ts';
import type { CaptureResultAnswer, CaptureResultFile, CaptureTaskRecord } from '../upstream/wire.ts';

/**
 * A firewall, by id alone: a representation carries no enterprise project, so `Firewall.captureTasks`
 * takes it as an argument (enterpriseProjectId) on every read rather than holding one here.
 */
export interface FirewallRef {
  readonly id: string;
}

/** Which connection a page belongs to: cursors are bound to it. */
export interface ConnectionScope {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId: string | undefined;
  /** scopeOf(fwInstanceId, enterpriseProjectId), computed once. */
  readonly fingerprint: number;
}

export interface CaptureTaskConnectionModel {
  readonly page: Page<CaptureTaskRecord>;
  readonly scope: ConnectionScope;
}

export interface CaptureTaskEdgeModel {
  readonly connection: CaptureTaskConnectionModel;
  /** Index into connection.page.items. */
  readonly index: number;
}

export interface CaptureTaskModel {
  readonly record: CaptureTaskRecord;
  readonly fwInstanceId: string;
  /** The enterprise project the task was listed in (its capture result is asked there). */
  readonly enterpriseProjectId: string | undefined;
}

export interface CaptureEndpointModel {
  readonly side: 'source' | 'dest';
  readonly record: CaptureTaskRecord;
}

/** A capture result as the upstream answered it (secret: never cached). */
export type CaptureResultModel = CaptureResultAnswer;

export type CaptureFileModel = CaptureResultFile;
