// The capture lifecycle's mutations: thin wrappers around lifecycle/mutations.ts that check the
// caller may write, shape the payload, echo clientMutationId and record one log line each.
import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { ErrorCode, GatewayError, UpstreamError } from '../errors.ts';
import type { UserError } from '../lifecycle/input.ts';
import { createCaptureTask, deleteCaptureTasks, stopCaptureTask, type MutationOutcome } from '../lifecycle/mutations.ts';
import { captureTaskOf } from './capture-task.ts';
import type { GatewayContext, MutationRecord } from './context.ts';
import type { CaptureTaskModel } from './mappers.ts';

interface Payload {
  readonly captureTask: CaptureTaskModel | null;
  readonly deletedIds: readonly string[];
  readonly userErrors: readonly UserError[];
  readonly clientMutationId: string | null;
}

/** Runs one mutation: write check, the work, the payload, the log line and metrics. */
async function mutate(
  mutation: MutationRecord['mutation'],
  input: { readonly fwInstanceId: string; readonly enterpriseProjectId?: string | null; readonly clientMutationId?: string | null },
  context: GatewayContext,
  info: GraphQLResolveInfo,
  work: () => Promise<MutationOutcome>,
): Promise<Payload> {
  const started = performance.now();
  // A change is never stored by a browser or proxy.
  context.response.noStore = true;
  const record = (outcome: MutationRecord['outcome'], fields: Partial<MutationRecord>) => {
    context.recordMutation({
      mutation,
      fwInstanceId: input.fwInstanceId,
      taskIds: [],
      userErrors: [],
      requestIds: [],
      ...fields,
      outcome,
      durationMs: performance.now() - started,
    });
  };
  try {
    if (context.mayWrite !== true) throw context.mayWrite;
    const outcome = await work();
    record(outcome.userErrors.length === 0 ? 'ok' : 'user-error', { taskIds: outcome.taskIds, userErrors: outcome.userErrors, requestIds: outcome.requestIds });
    for (const warning of outcome.warnings ?? []) context.warnings.push({ ...warning, path: responsePathAsArray(info.path) });
    return {
      captureTask:
        outcome.task === null
          ? null
          : captureTaskOf(
              outcome.task,
              { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined },
              context.config.upstream.timeZone,
              context.onUnknownCode,
            ),
      deletedIds: outcome.deletedIds,
      userErrors: outcome.userErrors,
      clientMutationId: input.clientMutationId ?? null,
    };
  } catch (error) {
    // CFW's request id of the failed call, when it answered: what a support ticket needs.
    const requestId = error instanceof UpstreamError ? error.upstream.requestId : undefined;
    record('error', {
      errorCode: error instanceof GatewayError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR,
      requestIds: requestId === undefined ? [] : [requestId],
    });
    throw error;
  }
}

export const Mutation: MutationResolvers = {
  createCaptureTask: (_root, { input }, context, info) => mutate('createCaptureTask', input, context, info, () => createCaptureTask(context.lifecycle, input)),
  stopCaptureTask: (_root, { input }, context, info) => mutate('stopCaptureTask', input, context, info, () => stopCaptureTask(context.lifecycle, input)),
  deleteCaptureTasks: (_root, { input }, context, info) =>
    mutate('deleteCaptureTasks', input, context, info, () => deleteCaptureTasks(context.lifecycle, input)),
};
