import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { captureTaskConnection } from './capture-task-connection.ts';
import { node } from './node.ts';

export const Query: QueryResolvers = {
  node,
  captureTasks: (_root, args, context, info) => captureTaskConnection(args.fwInstanceId, args, context, info),
};
