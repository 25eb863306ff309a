// The schema against what must not drift: the public contract, its own documentation, the resolver
// map's keys, and the SDL the supergraph reads through `_service`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  BreakingChangeType,
  buildSchema,
  GraphQLScalarType,
  findBreakingChanges,
  isEnumType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  parse,
  visit,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { resolvers } from '../../src/resolvers/index.ts';
import { readSchemaSdl } from '../../src/server/schema.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const CONTRACT_FILE = new URL('../fixtures/contract/capture-gateway.graphql', import.meta.url);
/** The capture lifecycle's part of the contract, read together with the first file. */
const LIFECYCLE_CONTRACT_FILE = new URL('../fixtures/contract/capture-lifecycle.graphql', import.meta.url);
/** The live capture status part of the contract (Subscription.captureTaskChanged), read with the other two. */
const LIVE_CONTRACT_FILE = new URL('../fixtures/contract/capture-live.graphql', import.meta.url);

const contractSchema = buildSubgraphSchema(
  parse([CONTRACT_FILE, LIFECYCLE_CONTRACT_FILE, LIVE_CONTRACT_FILE].map((file) => readFileSync(file, 'utf8')).join('\n')),
);
const projectSchema = buildSubgraphSchema(parse(readSchemaSdl()));

/** The project's SDL with one definition's member dropped, as a careless edit would. */
function projectSdlWithout(typeName: string, memberName: string): DocumentNode {
  return visit(parse(readSchemaSdl()), {
    ObjectTypeDefinition(node) {
      if (node.name.value !== typeName) return undefined;
      return { ...node, fields: node.fields?.filter((field) => field.name.value !== memberName) };
    },
    EnumTypeDefinition(node) {
      if (node.name.value !== typeName) return undefined;
      return { ...node, values: node.values?.filter((value) => value.name.value !== memberName) };
    },
  });
}

/** Types that graphql-js, the link spec or Federation add; the project does not document them. */
function isOwnType(name: string): boolean {
  return !name.startsWith('_') && !name.startsWith('link__') && !name.startsWith('federation__') && name !== 'FieldSet';
}

const described = (description: string | null | undefined) => description !== null && description !== undefined && description.trim() !== '';

/** Schema coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) without a description. */
function undescribedCoordinates(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isOwnType(type.name) || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    if (!described(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.name.startsWith('_')) continue;
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

/** Resolver map keys that name no type, field or enum value of the schema (`__` keys excepted). */
function resolverKeysMissingFromSchema(map: Readonly<Record<string, unknown>>, schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const [typeName, typeResolvers] of Object.entries(map)) {
    const type = schema.getType(typeName);
    if (type === undefined) {
      missing.push(typeName);
      continue;
    }
    if (typeResolvers instanceof GraphQLScalarType) {
      if (!isScalarType(type)) missing.push(`${typeName} (not a scalar)`);
      continue;
    }
    if (typeof typeResolvers !== 'object' || typeResolvers === null) {
      missing.push(`${typeName} (not an object of resolvers)`);
      continue;
    }
    for (const key of Object.keys(typeResolvers)) {
      if (key.startsWith('__')) continue;
      const known = isObjectType(type) || isInterfaceType(type) ? key in type.getFields() : isEnumType(type) ? type.getValue(key) !== undefined : false;
      if (!known) missing.push(`${typeName}.${key}`);
    }
  }
  return missing;
}

describe('compatibility with the public contract', () => {
  it('has no breaking change from the public contract (test/fixtures/contract)', () => {
    expect(findBreakingChanges(contractSchema, projectSchema)).toEqual([]);
  });

  it('holds the lifecycle part of the contract: a removed mutation or user error code is breaking', () => {
    expect(contractSchema.getMutationType()?.getFields()).toHaveProperty('createCaptureTask');
    const withoutMutation = buildSubgraphSchema(projectSdlWithout('Mutation', 'deleteCaptureTasks'));
    expect(findBreakingChanges(contractSchema, withoutMutation)).toEqual([
      { type: BreakingChangeType.FIELD_REMOVED, description: 'Mutation.deleteCaptureTasks was removed.' },
    ]);
    const withoutCode = buildSubgraphSchema(projectSdlWithout('CaptureTaskUserErrorCode', 'QUOTA_EXCEEDED'));
    expect(findBreakingChanges(contractSchema, withoutCode)).toEqual([
      { type: BreakingChangeType.VALUE_REMOVED_FROM_ENUM, description: 'QUOTA_EXCEEDED was removed from enum type CaptureTaskUserErrorCode.' },
    ]);
  });

  it('holds the live part of the contract: a removed subscription is breaking', () => {
    expect(contractSchema.getSubscriptionType()?.getFields()).toHaveProperty('captureTaskChanged');
    // Its only field: without it the type goes too.
    const withoutSubscription = buildSubgraphSchema(
      visit(parse(readSchemaSdl()), { ObjectTypeDefinition: (node) => (node.name.value === 'Subscription' ? null : undefined) }),
    );
    expect(findBreakingChanges(contractSchema, withoutSubscription)).toEqual([
      { type: BreakingChangeType.TYPE_REMOVED, description: 'Subscription was removed.' },
    ]);
  });

  it.each([
    ['a removed field', 'CaptureTask', 'remainingDays', { type: BreakingChangeType.FIELD_REMOVED, description: 'CaptureTask.remainingDays was removed.' }],
    [
      'a removed enum value',
      'CaptureTaskStatus',
      'UNKNOWN',
      { type: BreakingChangeType.VALUE_REMOVED_FROM_ENUM, description: 'UNKNOWN was removed from enum type CaptureTaskStatus.' },
    ],
  ])('reports %s as a breaking change', (_label, typeName, memberName, change) => {
    const edited = buildSubgraphSchema(projectSdlWithout(typeName, memberName));
    expect(findBreakingChanges(contractSchema, edited)).toEqual([change]);
  });
});

describe('documentation', () => {
  it('describes every type, field, argument and enum value of its own', () => {
    expect(undescribedCoordinates(projectSchema)).toEqual([]);
  });

  it('flags each kind of coordinate whose description was removed (the check can fail)', () => {
    const drop =
      <T extends { readonly name: { readonly value: string } }>(names: readonly string[]) =>
      (node: T): T | undefined =>
        names.includes(node.name.value) ? { ...node, description: undefined } : undefined;
    const stripped = visit(parse(readSchemaSdl()), {
      ScalarTypeDefinition: drop(['DateTime']),
      ObjectTypeDefinition: drop(['PageInfo']),
      FieldDefinition: drop(['maxPackets']),
      InputValueDefinition: drop(['after']),
      EnumTypeDefinition: drop(['IpVersion']),
      EnumValueDefinition: drop(['IPV6']),
    });
    expect(undescribedCoordinates(buildSubgraphSchema(stripped))).toEqual(
      expect.arrayContaining([
        'DateTime',
        'PageInfo',
        'CaptureTask.maxPackets',
        'Query.captureTasks(after:)',
        'Firewall.captureTasks(after:)',
        'IpVersion',
        'IpVersion.IPV6',
      ]),
    );
  });
});

describe('the resolver map', () => {
  it('names only types, fields and enum values the schema has', () => {
    expect(resolverKeysMissingFromSchema(resolvers, projectSchema)).toEqual([]);
  });

  it('reports a misspelt type or field (the check can fail)', () => {
    // A misspelt type or field compiles through the index signature; the check above catches it.
    const misspelt = { ...resolvers, CaptureTask: { ...resolvers.CaptureTask, nmae: () => null }, CaptureTsk: {}, Query: { captureTsks: () => null } };
    expect(resolverKeysMissingFromSchema(misspelt, projectSchema).sort()).toEqual(['CaptureTask.nmae', 'CaptureTsk', 'Query.captureTsks']);
  });

  it('accepts __resolveReference and other __ keys', () => {
    expect(resolverKeysMissingFromSchema({ Firewall: { __resolveReference: () => null, __isTypeOf: () => true } }, projectSchema)).toEqual([]);
  });

  it('binds the scalar resolvers to scalars only', () => {
    expect(resolverKeysMissingFromSchema({ CaptureTask: new GraphQLScalarType({ name: 'CaptureTask' }) }, projectSchema)).toEqual([
      'CaptureTask (not a scalar)',
    ]);
  });
});

describe('_service { sdl } through the live gateway', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('returns the documented SDL with the entity key', async () => {
    const result = await harness.gql('{ _service { sdl } }');
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    const service = result.body.data?.['_service'];
    const sdl = typeof service === 'object' && service !== null && 'sdl' in service && typeof service.sdl === 'string' ? service.sdl : undefined;
    if (sdl === undefined) throw new Error(`no _service.sdl in ${result.text.slice(0, 300)}`);
    expect(sdl).toContain('Relay');
    expect(sdl).toContain('@key(fields: "id")');
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    // What the supergraph composes from must itself honour the contract. The served SDL already
    // holds the federation definitions, so it is built as it stands.
    expect(findBreakingChanges(contractSchema, buildSchema(sdl, { assumeValidSDL: true }))).toEqual([]);
  });
});
