import { GraphQLError } from 'graphql';
import type { FirewallResolvers } from '../__generated__/resolvers-types.ts';
import { ErrorCode } from '../errors.ts';
import { isFirewallId } from '../lifecycle/input.ts';
import { captureTaskConnection } from './capture-task-connection.ts';

export const Firewall: FirewallResolvers = {
  // Another subgraph owns firewalls: a representation is all this one needs. Its id is checked
  // before execution (limits.ts), by the same rule; checked again here because the id is written out
  // as handed (a SerializedId: serialized.ts).
  __resolveReference: (reference) => {
    const id: unknown = reference.id;
    if (!isFirewallId(id))
      throw new GraphQLError('A Firewall representation needs an id: a string of 1 to 128 characters.', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    return { id };
  },
  captureTasks: (firewall, args, context, info) => captureTaskConnection(firewall.id, args, context, info),
};
