import type { FirewallResolvers } from '../__generated__/resolvers-types.ts';
import { captureTaskConnection } from './capture-task-connection.ts';

export const Firewall: FirewallResolvers = {
  // Another subgraph owns firewalls: a representation is all this one needs.
  __resolveReference: (reference) => ({ id: reference.id }),
  captureTasks: (firewall, args, context, info) => captureTaskConnection(firewall.id, args, context, info),
};
