import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { captureTaskConnection } from './capture-task-connection.ts';

export const Query: QueryResolvers = {
  captureTasks: (_root, args, context, info) => captureTaskConnection(args.fwInstanceId, args, context, info),
};
