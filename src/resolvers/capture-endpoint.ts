import type { CaptureEndpointResolvers } from '../__generated__/resolvers-types.ts';

// Every field is read from the record with its task (capture-task.ts): nothing left to resolve.
export const CaptureEndpoint: CaptureEndpointResolvers = {};
