// The same infinite list from Query.captureTasks: a @refetchable Query fragment. Compiled by
// relay-compiler against schema/client.graphql (npm run codegen) to prove the root connection is
// Relay-ready too; read by the compiler only.
import { graphql } from 'relay-runtime';

export const captureTasksFragment = graphql`
  fragment CaptureTasks_query on Query
  @refetchable(queryName: "CaptureTasksPaginationQuery")
  @argumentDefinitions(fwInstanceId: { type: "ID!" }, first: { type: "Int", defaultValue: 100 }, after: { type: "String" }) {
    captureTasks(fwInstanceId: $fwInstanceId, first: $first, after: $after) @connection(key: "CaptureTasks_captureTasks", filters: ["fwInstanceId"]) {
      totalCount
      edges {
        node {
          id
          name
          status
        }
      }
    }
  }
`;
