import { GraphQLError } from 'graphql';
import type { FirewallResolvers } from '../__generated__/resolvers-types.ts';
import { ErrorCode } from '../errors.ts';
import { captureTaskConnection } from './capture-task-connection.ts';

export const Firewall: FirewallResolvers = {
  // Another subgraph owns firewalls: a representation is all this one needs. Its id is checked
  // before execution (limits.ts); this is the last guard, as the id is written out as handed.
  __resolveReference: (reference) => {
    const id: unknown = reference.id;
    if (typeof id !== 'string' || id === '') throw new GraphQLError('A Firewall representation needs an id: a non-empty string.', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    return { id };
  },
  captureTasks: (firewall, args, context, info) => captureTaskConnection(firewall.id, args, context, info),
};
