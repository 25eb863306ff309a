import type { CaptureEndpointResolvers } from '../__generated__/resolvers-types.ts';
import { ipVersionFromCode, optionalNonEmptyString } from './values.ts';

export const CaptureEndpoint: CaptureEndpointResolvers = {
  address: (endpoint) => optionalNonEmptyString(`${endpoint.side}_address`, endpoint.side === 'source' ? endpoint.record.source_address : endpoint.record.dest_address),
  ipVersion: (endpoint) => ipVersionFromCode(`${endpoint.side}_address_type`, endpoint.side === 'source' ? endpoint.record.source_address_type : endpoint.record.dest_address_type),
  port: (endpoint) => optionalNonEmptyString(`${endpoint.side}_port`, endpoint.side === 'source' ? endpoint.record.source_port : endpoint.record.dest_port),
};
