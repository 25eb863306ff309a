// Leaf values as the resolvers hand them: already serialized. The executor writes String, Int,
// Boolean, ID and enum values as they are (server/executor.ts sets graphql-jit's
// `disableLeafSerialization`), so every such value must already be what GraphQL's serializer for
// its type would return. codegen.yml maps those scalars' outputs to the types below, so the
// generated resolver types hold every resolver to it; values.ts makes them from upstream values.
// An enum value is its name, which codegen's enum types (enumsAsTypes) already are.

/** String: any string is its own serialized form. */
export type SerializedString = string;

/** ID: written as a string, as GraphQL's ID serializer writes one. */
export type SerializedId = string;

/** Boolean: true or false, as they are. */
export type SerializedBoolean = boolean;

declare const int32: unique symbol;

/**
 * Int: a 32-bit integer, which TypeScript's `number` does not promise (GraphQL's Int serializer
 * refuses 2^31 and 1.5; written as handed, they would go out unchecked). Made by isSerializedInt.
 */
export type SerializedInt = number & { readonly [int32]: true };

const INT_MAX = 2_147_483_647;
const INT_MIN = -2_147_483_648;

/** Whether a value is an Int as GraphQL writes it: an integer from -2^31 to 2^31 - 1. */
export function isSerializedInt(value: unknown): value is SerializedInt {
  return typeof value === 'number' && Number.isInteger(value) && value <= INT_MAX && value >= INT_MIN;
}
