// What each GraphQL object type is resolved from (codegen's `mappers`): upstream records and the
// paging result. A task's plain values are read from its record once, into the fields GraphQL
// reads without a resolver (capture-task.ts).
import type { FieldValueError } from '../errors.ts';
import type { Page } from '../paging/walk.ts';
import type { CaptureProtocolName, CaptureTaskStatusName, IpVersionName } from '../upstream/codes.ts';
import type { FirewallScope } from '../upstream/capture-tasks.ts';
import type { CaptureResultAnswer, CaptureResultFile, CaptureTaskRecord } from '../upstream/wire.ts';
import type { SerializedInt } from './serialized.ts';

/**
 * A firewall, by id alone: a representation carries no enterprise project, so `Firewall.captureTasks`
 * takes it as an argument (enterpriseProjectId) on every read rather than holding one here.
 */
export interface FirewallRef {
  readonly id: string;
}

/** Which connection a page belongs to: cursors are bound to it. */
export interface ConnectionScope extends FirewallScope {
  /** connectionKeyOf(fwInstanceId, enterpriseProjectId), computed once: the hash its cursors carry. */
  readonly connectionKey: number;
}

export interface CaptureTaskConnectionModel {
  readonly page: Page<CaptureTaskRecord>;
  readonly scope: ConnectionScope;
}

/** An edge, made whole by the connection's `edges` (no resolver call per edge field). */
export interface CaptureTaskEdgeModel {
  readonly cursor: string;
  readonly node: CaptureTaskModel;
}

/**
 * A value read from the upstream, or why it could not be: GraphQL nulls a field whose value is an
 * Error and reports the error at the field's path, as it does for an error a resolver throws.
 */
export type Read<T> = T | FieldValueError;

export interface CaptureEndpointModel {
  readonly address: Read<string | null>;
  readonly ipVersion: Read<IpVersionName | null>;
  readonly port: Read<string | null>;
}

export interface CaptureTaskModel {
  readonly record: CaptureTaskRecord;
  readonly fwInstanceId: string;
  /** The enterprise project the task was listed in (its capture result is asked there). */
  readonly enterpriseProjectId: string | undefined;
  /** The zone the dates were read in (config), for reuse checks. */
  readonly timeZone: string;
  readonly id: string;
  readonly name: Read<string | null>;
  readonly status: CaptureTaskStatusName | 'UNKNOWN';
  /** null for automatic tasks, which have no protocol. */
  readonly protocol: CaptureProtocolName | 'UNKNOWN' | null;
  readonly source: CaptureEndpointModel;
  readonly destination: CaptureEndpointModel;
  readonly captureSize: Read<string | null>;
  readonly captureSizeBytes: Read<number | null>;
  readonly durationMinutes: Read<SerializedInt | null>;
  readonly maxPackets: Read<SerializedInt | null>;
  readonly createdAt: Read<string | null>;
  readonly modifiedAt: Read<string | null>;
  readonly isDeleted: Read<boolean>;
  readonly remainingDays: Read<SerializedInt | null>;
}

/** A capture result as the upstream answered it (secret: never cached). */
export type CaptureResultModel = CaptureResultAnswer;

export type CaptureFileModel = CaptureResultFile;
