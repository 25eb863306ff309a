/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query CaptureTasksPage($fwInstanceId: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  captureTasks(\n    fwInstanceId: $fwInstanceId\n    first: $first\n    after: $after\n    last: $last\n    before: $before\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        status\n      }\n    }\n  }\n}\n\nquery FirewallCaptureTasksPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  node(id: $id) {\n    id\n    ... on Firewall {\n      captureTasks(first: $first, after: $after, last: $last, before: $before) {\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n}": typeof types.CaptureTasksPageDocument,
    "subscription CaptureTaskLive($fwInstanceId: ID!, $id: ID!) {\n  captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {\n    id\n    status\n    captureSize\n  }\n}\n\nmutation StartCapture($input: CreateCaptureTaskInput!) {\n  createCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}\n\nmutation StopCapture($input: StopCaptureTaskInput!) {\n  stopCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}": typeof types.CaptureTaskLiveDocument,
};
const documents: Documents = {
    "query CaptureTasksPage($fwInstanceId: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  captureTasks(\n    fwInstanceId: $fwInstanceId\n    first: $first\n    after: $after\n    last: $last\n    before: $before\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        status\n      }\n    }\n  }\n}\n\nquery FirewallCaptureTasksPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  node(id: $id) {\n    id\n    ... on Firewall {\n      captureTasks(first: $first, after: $after, last: $last, before: $before) {\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n}": types.CaptureTasksPageDocument,
    "subscription CaptureTaskLive($fwInstanceId: ID!, $id: ID!) {\n  captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {\n    id\n    status\n    captureSize\n  }\n}\n\nmutation StartCapture($input: CreateCaptureTaskInput!) {\n  createCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}\n\nmutation StopCapture($input: StopCaptureTaskInput!) {\n  stopCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}": types.CaptureTaskLiveDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CaptureTasksPage($fwInstanceId: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  captureTasks(\n    fwInstanceId: $fwInstanceId\n    first: $first\n    after: $after\n    last: $last\n    before: $before\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        status\n      }\n    }\n  }\n}\n\nquery FirewallCaptureTasksPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  node(id: $id) {\n    id\n    ... on Firewall {\n      captureTasks(first: $first, after: $after, last: $last, before: $before) {\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query CaptureTasksPage($fwInstanceId: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  captureTasks(\n    fwInstanceId: $fwInstanceId\n    first: $first\n    after: $after\n    last: $last\n    before: $before\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        status\n      }\n    }\n  }\n}\n\nquery FirewallCaptureTasksPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  node(id: $id) {\n    id\n    ... on Firewall {\n      captureTasks(first: $first, after: $after, last: $last, before: $before) {\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription CaptureTaskLive($fwInstanceId: ID!, $id: ID!) {\n  captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {\n    id\n    status\n    captureSize\n  }\n}\n\nmutation StartCapture($input: CreateCaptureTaskInput!) {\n  createCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}\n\nmutation StopCapture($input: StopCaptureTaskInput!) {\n  stopCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}"): (typeof documents)["subscription CaptureTaskLive($fwInstanceId: ID!, $id: ID!) {\n  captureTaskChanged(fwInstanceId: $fwInstanceId, id: $id) {\n    id\n    status\n    captureSize\n  }\n}\n\nmutation StartCapture($input: CreateCaptureTaskInput!) {\n  createCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}\n\nmutation StopCapture($input: StopCaptureTaskInput!) {\n  stopCaptureTask(input: $input) {\n    captureTask {\n      id\n      status\n    }\n    userErrors {\n      code\n      message\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;