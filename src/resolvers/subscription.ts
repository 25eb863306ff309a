// Subscription: a capture task's live status. The stream comes from the instance's shared pollers
// (context.live, live/hub.ts); each event is read into a CaptureTask as Query.captureTask reads it.
import type { SubscriptionCaptureTaskChangedArgs, SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';
import { UnreachableCaseError } from '../errors.ts';
import type { LiveEvent } from '../live/state.ts';
import { captureTaskOf } from './capture-task.ts';

export const Subscription: SubscriptionResolvers = {
  captureTaskChanged: {
    subscribe: (_root, args, context) =>
      context.live.watch({ fwInstanceId: args.fwInstanceId, id: args.id, enterpriseProjectId: args.enterpriseProjectId ?? undefined }),
    // The error that ends a stream is its last event: GraphQL reports it at the field, then the stream completes.
    resolve: (event: LiveEvent, args: SubscriptionCaptureTaskChangedArgs, context: GatewayContext) => {
      switch (event.kind) {
        case 'task':
          return captureTaskOf(
            event.record,
            { fwInstanceId: args.fwInstanceId, enterpriseProjectId: args.enterpriseProjectId ?? undefined },
            context.config.upstream.timeZone,
            context.onUnknownCode,
          );
        case 'gone':
          return null;
        case 'error':
          throw event.error;
        default:
          throw new UnreachableCaseError(event);
      }
    },
  },
};
