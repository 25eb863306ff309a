/**
 * @generated SignedSource<<2a804e35b1d9f79c40e856c21882ee11>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type CaptureTaskStatus = "ABNORMAL" | "ENDING" | "RUNNING" | "STOPPED" | "SUCCESSFUL" | "UNKNOWN" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type CaptureTasks_query$data = {
  readonly captureTasks: {
    readonly edges: ReadonlyArray<{
      readonly node: {
        readonly id: string;
        readonly name: string | null | undefined;
        readonly status: CaptureTaskStatus;
      };
    }>;
    readonly totalCount: number;
  };
  readonly " $fragmentType": "CaptureTasks_query";
};
export type CaptureTasks_query$key = {
  readonly " $data"?: CaptureTasks_query$data;
  readonly " $fragmentSpreads": FragmentRefs<"CaptureTasks_query">;
};

import CaptureTasksPaginationQuery_graphql from './CaptureTasksPaginationQuery.graphql';

const node: ReaderFragment = (function(){
var v0 = [
  "captureTasks"
];
return {
  "argumentDefinitions": [
    {
      "defaultValue": null,
      "kind": "LocalArgument",
      "name": "after"
    },
    {
      "defaultValue": 100,
      "kind": "LocalArgument",
      "name": "first"
    },
    {
      "defaultValue": null,
      "kind": "LocalArgument",
      "name": "fwInstanceId"
    }
  ],
  "kind": "Fragment",
  "metadata": {
    "connection": [
      {
        "count": "first",
        "cursor": "after",
        "direction": "forward",
        "path": (v0/*:: as any*/)
      }
    ],
    "refetch": {
      "connection": {
        "forward": {
          "count": "first",
          "cursor": "after"
        },
        "backward": null,
        "path": (v0/*:: as any*/)
      },
      "fragmentPathInResult": [],
      "operation": CaptureTasksPaginationQuery_graphql
    }
  },
  "name": "CaptureTasks_query",
  "selections": [
    {
      "alias": "captureTasks",
      "args": [
        {
          "kind": "Variable",
          "name": "fwInstanceId",
          "variableName": "fwInstanceId"
        }
      ],
      "concreteType": "CaptureTaskConnection",
      "kind": "LinkedField",
      "name": "__CaptureTasks_captureTasks_connection",
      "plural": false,
      "selections": [
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "totalCount",
          "storageKey": null
        },
        {
          "alias": null,
          "args": null,
          "concreteType": "CaptureTaskEdge",
          "kind": "LinkedField",
          "name": "edges",
          "plural": true,
          "selections": [
            {
              "alias": null,
              "args": null,
              "concreteType": "CaptureTask",
              "kind": "LinkedField",
              "name": "node",
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
                  "name": "name",
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
                  "name": "__typename",
                  "storageKey": null
                }
              ],
              "storageKey": null
            },
            {
              "alias": null,
              "args": null,
              "kind": "ScalarField",
              "name": "cursor",
              "storageKey": null
            }
          ],
          "storageKey": null
        },
        {
          "alias": null,
          "args": null,
          "concreteType": "PageInfo",
          "kind": "LinkedField",
          "name": "pageInfo",
          "plural": false,
          "selections": [
            {
              "alias": null,
              "args": null,
              "kind": "ScalarField",
              "name": "endCursor",
              "storageKey": null
            },
            {
              "alias": null,
              "args": null,
              "kind": "ScalarField",
              "name": "hasNextPage",
              "storageKey": null
            }
          ],
          "storageKey": null
        }
      ],
      "storageKey": null
    }
  ],
  "type": "Query",
  "abstractKey": null
};
})();

(node as any).hash = "b2104987b1c2adee095bf0cd721d7014";

export default node;
