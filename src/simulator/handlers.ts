// The five calls answered: list, create, stop, batch-delete and capture-result, each after the
// credential and the firewall are checked, with CFW's refusals in CFW's order.
import { randomBytes } from 'node:crypto';
import { ApigErrorCode, CfwErrorCode, UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import { firewallAnswer, refused, rejected, type Outcome, type Rejection } from './answers.ts';
import { authenticate, type Credentials } from './auth.ts';
import type { ApiCall } from './call.ts';
import { CAPTURE_RESULT_EXPIRES_SECONDS, type Downloads } from './downloads.ts';
import { PageCache } from './page-cache.ts';
import { captureResultQueryOf, captureTaskSpecFromBody, CfwRefusal, jsonOfBody, taskIdFromStopBody, taskIdsFromDeleteBody } from './requests.ts';
import type { SimulatorEndpoint } from './routes.ts';
import type { SimulatedFirewall, SimulatorStore } from './store.ts';

/** How capture-result answers: a URL with an access code, or a list of files. */
export type CaptureResultForm = 'url' | 'file-list';

/** What the handlers read of the simulator, live: tests change its shape and result form while it runs. */
export interface ApiState extends Credentials {
  readonly store: SimulatorStore;
  /** Answer lists in the shape used before late 2024: `data` as a one-element array. */
  readonly legacyShape: boolean;
  readonly resultForm: CaptureResultForm;
}

const INTEGER = /^(0|[1-9]\d{0,9})$/;
const SAFE_HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

export class Handlers {
  readonly #state: ApiState;
  readonly #downloads: Downloads;
  /** The port listened on, for download links when the Host header cannot be used. */
  readonly #port: () => number;
  readonly #pages = new PageCache();

  constructor(state: ApiState, downloads: Downloads, port: () => number) {
    this.#state = state;
    this.#downloads = downloads;
    this.#port = port;
  }

  serve(endpoint: SimulatorEndpoint, call: ApiCall): Outcome {
    const rejection = authenticate(call, this.#state);
    if (rejection !== undefined) return rejected(rejection, call.requestId);
    if (endpoint === 'list') return this.#list(call);
    const fwInstanceId = call.url.searchParams.get('fw_instance_id') ?? '';
    if (fwInstanceId === '') return refused(new CfwRefusal(CfwErrorCode.EMPTY_PARAMETER, 'Empty parameter: fw_instance_id'));
    const firewall = this.#firewallFor(call, fwInstanceId);
    if (!('id' in firewall)) return rejected(firewall, call.requestId);
    if (call.body instanceof CfwRefusal) return refused(call.body);
    const json = jsonOfBody(call.body.toString('utf8'));
    const store = this.#state.store;
    switch (endpoint) {
      case 'create': {
        const spec = captureTaskSpecFromBody(json);
        const created = spec instanceof CfwRefusal ? spec : store.createTask(firewall.id, spec);
        return created instanceof CfwRefusal ? refused(created) : firewallAnswer(firewall);
      }
      case 'stop': {
        const taskId = taskIdFromStopBody(json);
        const stopped = taskId instanceof CfwRefusal ? taskId : store.stopTask(firewall.id, taskId);
        return stopped instanceof CfwRefusal ? refused(stopped) : firewallAnswer(firewall);
      }
      case 'batch-delete': {
        const taskIds = taskIdsFromDeleteBody(json);
        const deleted = taskIds instanceof CfwRefusal ? taskIds : store.deleteTasksById(firewall.id, taskIds, { forget: call.fault === 'forget-delete' });
        if (deleted instanceof CfwRefusal) return refused(deleted);
        return { ...firewallAnswer(firewall), applied: deleted.length > 0 };
      }
      case 'capture-result':
        return this.#captureResult(call, firewall);
    }
  }

  /** The firewall a call names, if it exists in the call's enterprise project and the caller may use it. */
  #firewallFor(call: ApiCall, fwInstanceId: string): SimulatedFirewall | Rejection {
    const firewall = this.#state.store.firewall(fwInstanceId, call.url.searchParams.get('enterprise_project_id') ?? undefined);
    if (firewall === undefined) return [400, CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist'];
    if (call.grant?.firewalls !== undefined && !call.grant.firewalls.includes(firewall.id))
      return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this firewall'];
    return firewall;
  }

  /** GET capture-task: parameters checked in CFW's order, then a page. */
  #list(call: ApiCall): Outcome {
    const query = call.url.searchParams;
    for (const name of ['fw_instance_id', 'limit', 'offset']) {
      if ((query.get(name) ?? '') === '') return refused(new CfwRefusal(CfwErrorCode.EMPTY_PARAMETER, `Empty parameter: ${name}`));
    }
    const limit = query.get('limit') ?? '';
    if (!INTEGER.test(limit) || Number(limit) < 1 || Number(limit) > UPSTREAM_MAX_LIMIT) {
      return refused(new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: limit must be an integer from 1 to ${UPSTREAM_MAX_LIMIT}`));
    }
    if (!INTEGER.test(query.get('offset') ?? ''))
      return refused(new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, 'Invalid parameter: offset must be an integer no less than 0'));
    const firewall = this.#firewallFor(call, query.get('fw_instance_id') ?? '');
    if (!('id' in firewall)) return rejected(firewall, call.requestId);
    const { store, legacyShape, projectId } = this.#state;
    const body = this.#pages.bodyOf({
      firewallId: firewall.id,
      version: store.versionOf(firewall.id),
      tasks: firewall.tasks,
      offset: Number(query.get('offset')),
      limit: Number(query.get('limit')),
      legacyShape,
      projectId,
    });
    return { status: 200, body, listed: firewall.id };
  }

  /** GET capture-task/capture-result: a download link for a finished task's file, in the configured form. */
  #captureResult(call: ApiCall, firewall: SimulatedFirewall): Outcome {
    const query = captureResultQueryOf(call.url.searchParams);
    if (query instanceof CfwRefusal) return refused(query);
    const file = this.#state.store.captureFileOf(firewall.id, query.taskId);
    if (file instanceof CfwRefusal) return refused(file);
    const { fileName, path } = this.#downloads.issue(file);
    const hostHeader = call.request.headers.host ?? '';
    const host = SAFE_HOST.test(hostHeader) ? hostHeader : `127.0.0.1:${this.#port()}`;
    const downloadUrl = `http://${host}${path}`;
    const fileList = call.fault === 'file-list' || this.#state.resultForm === 'file-list';
    const data = fileList
      ? { file_list: [{ file_name: fileName, url: downloadUrl, file_path: `/${firewall.id}/${file.taskId}/${fileName}` }] }
      : { url: downloadUrl, captcha: randomBytes(4).toString('hex'), expires: CAPTURE_RESULT_EXPIRES_SECONDS, request_header: { Host: host } };
    return { status: 200, body: JSON.stringify({ data }) };
  }
}
