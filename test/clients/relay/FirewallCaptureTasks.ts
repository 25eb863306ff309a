// A Relay app's infinite list of one firewall's capture tasks: a @refetchable Firewall fragment
// (refetched through Query.node) with a @connection paging both ways. relay-compiler compiles it
// against schema/client.graphql into __generated__/ (npm run codegen); the Relay walk uses the
// artifacts. This module is read by the compiler only: Relay's graphql tag never runs.
import { graphql } from 'relay-runtime';

export const firewallCaptureTasksFragment = graphql`
  fragment FirewallCaptureTasks_firewall on Firewall
  @refetchable(queryName: "FirewallCaptureTasksPaginationQuery")
  @argumentDefinitions(first: { type: "Int" }, after: { type: "String" }, last: { type: "Int" }, before: { type: "String" }) {
    id
    captureTasks(first: $first, after: $after, last: $last, before: $before) @connection(key: "FirewallCaptureTasks_captureTasks") {
      totalCount
      edges {
        node {
          id
          name
          status
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;
