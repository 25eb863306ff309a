// Relay's Global Object Identification: firewalls are the only nodes, so `node(id)` reads every id
// as a firewall's fw_instance_id and answers it as the entity reference does, without a lookup.
import type { NodeResolvers, QueryResolvers } from '../__generated__/resolvers-types.ts';
import type { FirewallRef } from './mappers.ts';

/** The firewall an id names, or null for an id that names nothing (empty or blank). */
export function nodeFromId(id: string): FirewallRef | null {
  return id.trim() === '' ? null : { id };
}

export const node: NonNullable<QueryResolvers['node']> = (_root, args) => nodeFromId(args.id);

export const Node: NodeResolvers = {
  __resolveType: () => 'Firewall',
};
