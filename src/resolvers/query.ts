import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { hasId, scanTasks } from '../lifecycle/tasks.ts';
import { captureTaskOf } from './capture-task.ts';
import { captureTaskConnection } from './capture-task-connection.ts';
import { node } from './node.ts';

export const Query: QueryResolvers = {
  node,
  captureTasks: (_root, args, context, info) => captureTaskConnection(args.fwInstanceId, args, context, info),
  // No read-by-id upstream: the task is found in the list, through the operation's loader, so it
  // shares reads with the operation's other fields and counts in its budget.
  captureTask: async (_root, args, context) => {
    const enterpriseProjectId = args.enterpriseProjectId ?? undefined;
    const { match } = await scanTasks(
      (offset, limit) => context.pages.load({ fwInstanceId: args.fwInstanceId, enterpriseProjectId, offset, limit }),
      hasId(args.id),
    );
    return match === undefined
      ? null
      : captureTaskOf(match, { fwInstanceId: args.fwInstanceId, enterpriseProjectId }, context.config.upstream.timeZone, context.onUnknownCode);
  },
};
