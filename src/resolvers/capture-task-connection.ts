// The one implementation behind Query.captureTasks and Firewall.captureTasks: arguments → page
// request → one drift-tolerant page read (readOnePage) over the per-operation loader → connection
// model. And the connection's and edge's own fields.
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { CaptureTaskConnectionResolvers, CaptureTaskEdgeResolvers } from '../__generated__/resolvers-types.ts';
import { cursorAt, pageInfoOf } from '../paging/connection.ts';
import { fingerprintOf, connectionKeyOf } from '../paging/cursor.ts';
import { readOnePage } from '../paging/walk.ts';
import { pageRequestFromArgs, type ConnectionArgs } from '../paging/page-request.ts';
import type { GatewayContext } from './context.ts';
import { taskIdOf, type CaptureTaskRecord } from '../upstream/wire.ts';
import { captureTaskOf } from './capture-task.ts';
import { requiredInt } from './values.ts';
import type { CaptureTaskConnectionModel, CaptureTaskEdgeModel, CaptureTaskModel } from './mappers.ts';

const fingerprintOfRecord = (record: CaptureTaskRecord) => fingerprintOf(taskIdOf(record));

export async function captureTaskConnection(
  fwInstanceId: string,
  args: ConnectionArgs & { readonly enterpriseProjectId?: string | null },
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<CaptureTaskConnectionModel> {
  const enterpriseProjectId = args.enterpriseProjectId ?? undefined;
  const scope = { fwInstanceId, enterpriseProjectId, connectionKey: connectionKeyOf(fwInstanceId, enterpriseProjectId) };
  const request = pageRequestFromArgs(args, scope.connectionKey);
  const page = await readOnePage(
    request,
    async (offset, limit) => {
      const answer = await context.pages.load({ fwInstanceId, enterpriseProjectId, offset, limit });
      return { total: answer.total, items: answer.records };
    },
    { fingerprint: fingerprintOfRecord, driftWindow: context.config.paging.driftWindow },
  );
  if (page.warning !== undefined) context.warnings.push({ ...page.warning, path: responsePathAsArray(info.path) });
  return { page, scope };
}

function nodeAt(connection: CaptureTaskConnectionModel, index: number, context: GatewayContext): CaptureTaskModel {
  return captureTaskOf(connection.page.items[index] as CaptureTaskRecord, connection.scope, context.config.upstream.timeZone, context.onUnknownCode);
}

export const CaptureTaskConnection: CaptureTaskConnectionResolvers = {
  edges: (connection, _args, context) => {
    const { page, scope } = connection;
    const edges: CaptureTaskEdgeModel[] = [];
    for (let index = page.from; index < page.to; index++) {
      edges.push({ cursor: cursorAt(page, index, scope.connectionKey, fingerprintOfRecord), node: nodeAt(connection, index, context) });
    }
    return edges;
  },
  nodes: (connection, _args, context) => {
    const nodes = [];
    for (let index = connection.page.from; index < connection.page.to; index++) nodes.push(nodeAt(connection, index, context));
    return nodes;
  },
  pageInfo: (connection) => pageInfoOf(connection.page, connection.scope.connectionKey, fingerprintOfRecord),
  // A SerializedInt: a total over 2^31 - 1 is an error here, not written out.
  totalCount: (connection) => requiredInt('total', connection.page.total),
};

// An edge's cursor and node are made with it (edges above): both are cheap once per item (cursors
// and task values are each worked out once), cheaper than a resolver call per edge field.
export const CaptureTaskEdge: CaptureTaskEdgeResolvers = {};
