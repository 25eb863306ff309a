/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** One end of a new capture. */
export type CaptureEndpointInput = {
  /** An IPv4 or IPv6 address (one address, no range); source and destination must be of the same version. */
  address: string;
  /** Inferred from the address when omitted; must match it when given. */
  ipVersion?: IpVersion | null | undefined;
  /** A port (`443`) or a range (`8000-8080`) from 1 to 65535; only with TCP or UDP. Omit it for any port. */
  port?: string | null | undefined;
};

/** The protocol a capture task captures (CFW `protocol`). */
export type CaptureProtocol =
  /** Any protocol (code -1). */
  | 'ANY'
  /** ICMP (code 1). */
  | 'ICMP'
  /** ICMPv6 (code 58). */
  | 'ICMPV6'
  /** TCP (code 6). */
  | 'TCP'
  /** UDP (code 17). */
  | 'UDP'
  /** A code the gateway does not know; it logs each such code once. */
  | 'UNKNOWN';

/** Where a capture task stands (CFW `status`). */
export type CaptureTaskStatus =
  /** The task failed (code 0, seen in the field though undocumented). */
  | 'ABNORMAL'
  /** The capture is stopping (code 5). */
  | 'ENDING'
  /** The capture is running (code 2). */
  | 'RUNNING'
  /** The capture was stopped (code 4). */
  | 'STOPPED'
  /** The capture finished on its own (code 1). */
  | 'SUCCESSFUL'
  /** A code the gateway does not know; it logs each such code once. */
  | 'UNKNOWN';

/** The kinds of expected refusal. */
export type CaptureTaskUserErrorCode =
  /** A capture is running or stopping on this firewall (for a delete: the task is still stopping). */
  | 'CAPTURE_IN_PROGRESS'
  /** A value CFW would refuse: an address, port, protocol, range or length. */
  | 'INVALID'
  /** Another listed task of the firewall has this name. */
  | 'NAME_TAKEN'
  /** No task with this id in the firewall's list. */
  | 'NOT_FOUND'
  /** The task is not running (it has stopped or finished), so it cannot be stopped. */
  | 'NOT_RUNNING'
  /** The firewall's daily number of captures (20) is used up. */
  | 'QUOTA_EXCEEDED'
  /** CFW refused for another reason, or did not do what it answered; the message says which, with CFW's code. */
  | 'REJECTED';

/** What a new capture captures: one flow between two addresses, for a time or a number of packets. */
export type CreateCaptureTaskInput = {
  /** Any string; echoed in the payload so a client can match answers to requests. */
  clientMutationId?: string | null | undefined;
  /** Where the captured traffic goes to. */
  destination: CaptureEndpointInput;
  /** How long the capture runs, in minutes: 1 to 60. */
  durationMinutes: number;
  /** The enterprise project the firewall belongs to; omit it when the feature is off. */
  enterpriseProjectId?: string | null | undefined;
  /** The firewall instance id (CFW `fw_instance_id`). */
  fwInstanceId: string | number;
  /** The most packets to capture: 1 to 1,000,000. */
  maxPackets: number;
  /**
   * The task's name: 1 to 64 letters, digits, `_`, `-` or `.`, unique among the firewall's listed
   * tasks (CFW's answer does not name the new task's id, so the gateway finds it by name).
   */
  name: string;
  /** The protocol to capture; `ANY` captures every protocol; `UNKNOWN` is refused. */
  protocol: CaptureProtocol;
  /** Where the captured traffic comes from. */
  source: CaptureEndpointInput;
};

/** An address family (CFW `*_address_type`). */
export type IpVersion =
  /** IPv4 (code 0). */
  | 'IPV4'
  /** IPv6 (code 1). */
  | 'IPV6';

/** Which task to stop. */
export type StopCaptureTaskInput = {
  /** Any string; echoed in the payload so a client can match answers to requests. */
  clientMutationId?: string | null | undefined;
  /** The enterprise project the firewall belongs to; omit it when the feature is off. */
  enterpriseProjectId?: string | null | undefined;
  /** The firewall instance id (CFW `fw_instance_id`). */
  fwInstanceId: string | number;
  /** The task id (CFW `task_id`). */
  id: string | number;
};

export type CaptureTasksPageQueryVariables = Exact<{
  fwInstanceId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type CaptureTasksPageQuery = { captureTasks: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string | null, status: CaptureTaskStatus } }> } };

export type FirewallCaptureTasksPageQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type FirewallCaptureTasksPageQuery = { node: { id: string, captureTasks: { pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string | null } }> } } | null };

export type CaptureTaskLiveSubscriptionVariables = Exact<{
  fwInstanceId: string | number;
  id: string | number;
}>;


export type CaptureTaskLiveSubscription = { captureTaskChanged: { id: string, status: CaptureTaskStatus, captureSize: string | null } | null };

export type StartCaptureMutationVariables = Exact<{
  input: CreateCaptureTaskInput;
}>;


export type StartCaptureMutation = { createCaptureTask: { captureTask: { id: string, status: CaptureTaskStatus } | null, userErrors: Array<{ code: CaptureTaskUserErrorCode, message: string }> } };

export type StopCaptureMutationVariables = Exact<{
  input: StopCaptureTaskInput;
}>;


export type StopCaptureMutation = { stopCaptureTask: { captureTask: { id: string, status: CaptureTaskStatus } | null, userErrors: Array<{ code: CaptureTaskUserErrorCode, message: string }> } };


export const CaptureTasksPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CaptureTasksPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fwInstanceId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureTasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fwInstanceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fwInstanceId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CaptureTasksPageQuery, CaptureTasksPageQueryVariables>;
export const FirewallCaptureTasksPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FirewallCaptureTasksPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Firewall"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureTasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<FirewallCaptureTasksPageQuery, FirewallCaptureTasksPageQueryVariables>;
export const CaptureTaskLiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CaptureTaskLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fwInstanceId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureTaskChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fwInstanceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fwInstanceId"}}},{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"captureSize"}}]}}]}}]} as unknown as DocumentNode<CaptureTaskLiveSubscription, CaptureTaskLiveSubscriptionVariables>;
export const StartCaptureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartCapture"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCaptureTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCaptureTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureTask"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StartCaptureMutation, StartCaptureMutationVariables>;
export const StopCaptureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StopCapture"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StopCaptureTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopCaptureTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureTask"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StopCaptureMutation, StopCaptureMutationVariables>;