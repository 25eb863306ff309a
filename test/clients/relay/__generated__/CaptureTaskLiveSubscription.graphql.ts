/**
 * @generated SignedSource<<cdc578fb7a8cb9b350a21a7240bd4e70>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type CaptureTaskStatus = "ABNORMAL" | "ENDING" | "RUNNING" | "STOPPED" | "SUCCESSFUL" | "UNKNOWN" | "%future added value";
export type CaptureTaskLiveSubscription$variables = {
  fwInstanceId: string;
  id: string;
};
export type CaptureTaskLiveSubscription$data = {
  readonly captureTaskChanged: {
    readonly captureSize: string | null | undefined;
    readonly id: string;
    readonly status: CaptureTaskStatus;
  } | null | undefined;
};
export type CaptureTaskLiveSubscription = {
  response: CaptureTaskLiveSubscription$data;
  variables: CaptureTaskLiveSubscription$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "fwInstanceId"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "fwInstanceId",
        "variableName": "fwInstanceId"
      },
      {
        "kind": "Variable",
        "name": "id",
        "variableName": "id"
      }
    ],
    "concreteType": "CaptureTask",
    "kind": "LinkedField",
    "name": "captureTaskChanged",
    "plural": false,
    "selections": [
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "id",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "status",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "captureSize",
        "storageKey": null
      }
    ],
    "storageKey": null
  }
];
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "CaptureTaskLiveSubscription",
    "selections": (v1/*:: as any*/),
    "type": "Subscription",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "CaptureTaskLiveSubscription",
    "selections": (v1/*:: as any*/)
  },
  "params": {
    "cacheID": "4f85770aff1f35ba0e38e5cb407b72d7",
    "id": null,
    "metadata": {},
    "name": "CaptureTaskLiveSubscription",
    "operationKind": "subscription",
    "text": "subscription CaptureTaskLiveSubscription(\n  $fwInstanceId: ID!\n  $id: ID!\n) {\n  captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {\n    id\n    status\n    captureSize\n  }\n}\n"
  }
};
})();

(node as any).hash = "37826552137bd3743dc0650b90660968";

export default node;
