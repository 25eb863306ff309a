// The capture the client tests start on the empty firewall, typed as the client preset types it.
import { EMPTY_FIREWALL } from '../helpers/lifecycle.ts';
import type { CreateCaptureTaskInput } from './__generated__/graphql.ts';

export const CAPTURE_INPUT: CreateCaptureTaskInput = {
  fwInstanceId: EMPTY_FIREWALL,
  name: 'watched-from-a-console',
  durationMinutes: 30,
  maxPackets: 100_000,
  protocol: 'TCP',
  source: { address: '192.0.2.10' },
  destination: { address: '198.51.100.7', port: '443' },
};
