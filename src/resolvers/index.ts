// The resolver map: one file per GraphQL type.
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { CaptureEndpoint } from './capture-endpoint.ts';
import { CaptureTask } from './capture-task.ts';
import { CaptureTaskConnection, CaptureTaskEdge } from './capture-task-connection.ts';
import { Firewall } from './firewall.ts';
import { Node } from './node.ts';
import { Mutation } from './mutation.ts';
import { Query } from './query.ts';
import { Subscription } from './subscription.ts';
import { DateTime, SafeInt } from './scalars.ts';

export const resolvers: Resolvers = {
  DateTime,
  SafeInt,
  Query,
  Node,
  Mutation,
  Subscription,
  Firewall,
  CaptureTaskConnection,
  CaptureTaskEdge,
  CaptureTask,
  CaptureEndpoint,
};
