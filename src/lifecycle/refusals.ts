// CFW's refusals of a lifecycle call (HTTP 400 with a CFW code) → the user error a form can show.
// Pure. CFW does not document which codes these calls use (test/fixtures/upstream/README.md): the codes of
// its published table that plausibly apply are recognised, what the list shows (a capture running,
// the name in use) overrides the code, and anything else is REJECTED with CFW's code in the message.
import { UserErrorCode } from '../errors.ts';
import { CAPTURE_DAILY_QUOTA, CfwErrorCode } from '../upstream/codes.ts';
import type { UserError } from './input.ts';

const codeText = (errorCode: string | undefined) => (errorCode === undefined ? 'no error code' : errorCode);
/** CFW's code and, when it gave one, its request id: what a support ticket about a REJECTED needs. */
const codeAndRequest = (errorCode: string | undefined, requestId: string | undefined) =>
  `${codeText(errorCode)}${requestId === undefined ? '' : `, CFW request id ${requestId}`}`;

/** What the list said right after CFW refused a create. */
export interface CreateRefusalFacts {
  /** The id of a listed task with the requested name, if any (a racing create won). */
  readonly nameTakenBy: string | undefined;
  /** The id of a task running or stopping on the firewall, if any. */
  readonly busyTask: string | undefined;
}

/** A refused create → NAME_TAKEN, CAPTURE_IN_PROGRESS, QUOTA_EXCEEDED or REJECTED. */
export function createRefusal(errorCode: string | undefined, facts: CreateRefusalFacts, requestId?: string): UserError {
  const cfw = `CFW refused the capture (${codeText(errorCode)})`;
  if (facts.nameTakenBy !== undefined) {
    return {
      field: ['input', 'name'],
      code: UserErrorCode.NAME_TAKEN,
      message: `${cfw}: task ${facts.nameTakenBy} now has this name (another create with it went first).`,
    };
  }
  if (facts.busyTask !== undefined || errorCode === CfwErrorCode.STATUS_ERROR) {
    return {
      field: null,
      code: UserErrorCode.CAPTURE_IN_PROGRESS,
      message: `${cfw}: a capture is running or stopping on this firewall${facts.busyTask === undefined ? '' : ` (task ${facts.busyTask})`}; stop it or wait for it to end.`,
    };
  }
  switch (errorCode) {
    case CfwErrorCode.QUOTA_EXCEEDED:
      return {
        field: null,
        code: UserErrorCode.QUOTA_EXCEEDED,
        message: `${cfw}: the firewall's captures for today (${CAPTURE_DAILY_QUOTA}) are used up; try again tomorrow.`,
      };
    case CfwErrorCode.NAME_CONFLICT:
    case CfwErrorCode.ALREADY_EXISTS:
      return { field: ['input', 'name'], code: UserErrorCode.NAME_TAKEN, message: `${cfw}: the name is in use.` };
    default:
      return {
        field: null,
        code: UserErrorCode.REJECTED,
        message: `CFW refused the capture (${codeAndRequest(errorCode, requestId)}); check the input against CFW's rules.`,
      };
  }
}

/** A refused stop → NOT_RUNNING, NOT_FOUND or REJECTED. */
export function stopRefusal(errorCode: string | undefined, requestId?: string): UserError {
  const cfw = `CFW refused the stop (${codeText(errorCode)})`;
  switch (errorCode) {
    case CfwErrorCode.STATUS_ERROR:
      return { field: ['input', 'id'], code: UserErrorCode.NOT_RUNNING, message: `${cfw}: the task is not running.` };
    case CfwErrorCode.OBJECT_NOT_FOUND:
      return { field: ['input', 'id'], code: UserErrorCode.NOT_FOUND, message: `${cfw}: no such task.` };
    default:
      return { field: ['input', 'id'], code: UserErrorCode.REJECTED, message: `CFW refused the stop (${codeAndRequest(errorCode, requestId)}).` };
  }
}

/** A refused batch-delete, for one of its ids → CAPTURE_IN_PROGRESS or REJECTED. */
export function deleteRefusal(errorCode: string | undefined, field: readonly string[], requestId?: string): UserError {
  const cfw = `CFW refused the delete (${codeText(errorCode)})`;
  return errorCode === CfwErrorCode.STATUS_ERROR
    ? { field, code: UserErrorCode.CAPTURE_IN_PROGRESS, message: `${cfw}: a task of the call is running or stopping; try again when it has stopped.` }
    : { field, code: UserErrorCode.REJECTED, message: `CFW refused the delete (${codeAndRequest(errorCode, requestId)}).` };
}
