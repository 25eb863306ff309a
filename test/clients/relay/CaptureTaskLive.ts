// A capture's live status as a Relay app subscribes to it (requestSubscription / useSubscription).
// Compiled by relay-compiler against schema/client.graphql (npm run codegen).
import { graphql } from 'relay-runtime';

export const captureTaskLiveSubscription = graphql`
  subscription CaptureTaskLiveSubscription($fwInstanceId: ID!, $id: ID!) {
    captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {
      id
      status
      captureSize
    }
  }
`;
