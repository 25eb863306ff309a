// Answers before they are sent: an Outcome, and the error bodies CFW (business refusals) and APIG
// (authentication, routing) write.
import { randomBytes } from 'node:crypto';
import type { CfwRefusal } from './requests.ts';
import type { SimulatedFirewall } from './store.ts';

/** An answer before it is sent: status, body, and what it did. */
export interface Outcome {
  readonly status: number;
  readonly body: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  readonly applied?: boolean;
  /** A list answer: drift runs after it. */
  readonly listed?: string;
}

/** A refusal by status, error code and message, before it is written as a body. */
export type Rejection = readonly [status: number, code: string, message: string];

/** A fresh X-Request-Id. */
export function requestId(): string {
  return randomBytes(16).toString('hex');
}

export function errorBody(errorCode: string, errorMsg: string, id?: string): string {
  return JSON.stringify(id === undefined ? { error_code: errorCode, error_msg: errorMsg } : { error_code: errorCode, error_msg: errorMsg, request_id: id });
}

/** CFW's business errors carry no request_id in the body; APIG's do. */
export function rejected([status, code, message]: Rejection, requestId: string): Outcome {
  return { status, body: errorBody(code, message, code.startsWith('APIG') ? requestId : undefined) };
}

export function refused(refusal: CfwRefusal): Outcome {
  return { status: 400, body: errorBody(refusal.code, refusal.message) };
}

/** create, stop and batch-delete answer with the firewall's id and name (as CFW documents for create). */
export function firewallAnswer(firewall: SimulatedFirewall): Outcome {
  return { status: 200, body: JSON.stringify({ data: { id: firewall.id, name: firewall.name ?? firewall.id } }), applied: true };
}
