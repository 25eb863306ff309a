// The client SDL (schema/client.graphql): plain SDL without federation, one set of descriptions with
// introspection and `_service { sdl }`, and served at /schema.graphql wherever introspection is.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { CLIENT_SCHEMA_FILE, CLIENT_SCHEMA_HEADER, clientSdlFrom } from '../../src/server/client-schema.ts';
import { readSchemaSdl } from '../../src/server/schema.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';

const committed = readFileSync(CLIENT_SCHEMA_FILE, 'utf8');

/** Names Federation adds to a subgraph schema. */
const FEDERATION_NAME = /^(_Any|_Entity|_Service|FieldSet|link__\w+|federation__\w+)$/;

function isIntrospection(data: unknown): data is IntrospectionQuery {
  return typeof data === 'object' && data !== null && '__schema' in data && typeof data.__schema === 'object' && data.__schema !== null;
}

/** An introspection result with Federation's types, root fields and directives taken out. */
function withoutFederation(result: IntrospectionQuery): IntrospectionQuery {
  const types = result.__schema.types
    .filter((type) => !FEDERATION_NAME.test(type.name))
    .map((type) => (type.kind === 'OBJECT' && type.name === 'Query' ? { ...type, fields: type.fields.filter((field) => !field.name.startsWith('_')) } : type));
  const directives = result.__schema.directives.filter((directive) => ['include', 'skip', 'deprecated', 'specifiedBy', 'oneOf'].includes(directive.name));
  return { __schema: { ...result.__schema, types, directives } };
}

describe('the client SDL', () => {
  const schema = buildSchema(committed);

  it('is what the generator makes from the subgraph SDL (npm run codegen)', () => {
    expect(committed).toBe(clientSdlFrom(readSchemaSdl()));
    expect(committed.startsWith(CLIENT_SCHEMA_HEADER)).toBe(true);
  });

  it('has nothing of Federation: no @link, no federation directives, types or root fields', () => {
    expect(committed).not.toMatch(/@link|@key|@shareable|_service|_entities|_Any|_Entity|FieldSet|link__|federation__/);
    expect(
      schema
        .getDirectives()
        .map((directive) => directive.name)
        .sort(),
    ).toEqual(['deprecated', 'include', 'oneOf', 'skip', 'specifiedBy']);
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(expect.arrayContaining(['node', 'captureTasks']));
  });

  it("declares Relay's Node interface, implemented by Firewall, and Query.node", () => {
    const firewall = schema.getType('Firewall');
    if (!isObjectType(firewall)) throw new Error('no Firewall object type');
    expect(firewall.getInterfaces().map((type) => type.name)).toEqual(['Node']);
    expect(String(schema.getQueryType()?.getFields()['node']?.type)).toBe('Node');
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    expect(schema.getPossibleTypes(node).map((type) => type.name)).toEqual(['Firewall']);
  });

  it("takes the subgraph SDL's extensions and later additions along (a generator for whatever the schema holds)", () => {
    const extended = `${readSchemaSdl()}\nextend type Query { "A later addition." later: Int @shareable }\ntype Extra @key(fields: "id") { "An id." id: ID! }`;
    const sdl = clientSdlFrom(extended);
    expect(sdl).toContain('"""A later addition."""\n  later: Int\n}');
    expect(sdl).toContain('type Extra {');
    expect(sdl).not.toMatch(/@shareable|@key/);
  });
});

describe('one set of descriptions: introspection, _service { sdl } and the client SDL agree', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('prints the introspected schema, without Federation, exactly as the client SDL', async () => {
    const result = await harness.gql(getIntrospectionQuery({ specifiedByUrl: true, inputValueDeprecation: true }));
    expect(result.body.errors).toBeUndefined();
    const data = result.body.data;
    if (!isIntrospection(data)) throw new Error(`no introspection in ${result.text.slice(0, 200)}`);
    const introspection = withoutFederation(data);
    expect(`${CLIENT_SCHEMA_HEADER}\n${printSchema(buildClientSchema(introspection))}\n`).toBe(committed);
  });

  it("shows the project's descriptions for DateTime and SafeInt, not graphql-scalars' nor their @specifiedBy", async () => {
    const result = await harness.gql(
      '{ dateTime: __type(name: "DateTime") { description specifiedByURL } safeInt: __type(name: "SafeInt") { description specifiedByURL } }',
    );
    const schema = buildSchema(committed);
    expect(result.body.data).toEqual({
      dateTime: { description: schema.getType('DateTime')?.description, specifiedByURL: null },
      safeInt: { description: schema.getType('SafeInt')?.description, specifiedByURL: null },
    });
    expect(result.text).not.toMatch(/date-time string at UTC|scalars\.graphql\.org|Integers that will have a value/);
  });

  it('makes the client SDL from _service { sdl } too', async () => {
    const result = await harness.gql('{ _service { sdl } }');
    const service = result.body.data?.['_service'];
    if (typeof service !== 'object' || service === null || !('sdl' in service) || typeof service.sdl !== 'string')
      throw new Error(`no _service.sdl in ${result.text.slice(0, 200)}`);
    expect(clientSdlFrom(service.sdl)).toBe(committed);
  });

  it('describes every type, field, argument and enum value with a sentence', () => {
    const schema = buildSchema(committed);
    const descriptions: [string, string | null | undefined][] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      descriptions.push([type.name, type.description]);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          descriptions.push([`${type.name}.${field.name}`, field.description]);
          for (const arg of field.args) descriptions.push([`${type.name}.${field.name}(${arg.name}:)`, arg.description]);
        }
      }
      if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) descriptions.push([`${type.name}.${field.name}`, field.description]);
      if (isEnumType(type)) for (const value of type.getValues()) descriptions.push([`${type.name}.${value.name}`, value.description]);
    }
    const notSentences = descriptions.filter(
      ([, description]) => description === null || description === undefined || !/^[A-Z`"(].*[.)]$/s.test(description.trim()),
    );
    expect(notSentences).toEqual([]);
    expect(descriptions.length).toBeGreaterThan(60);
  });
});

describe('GET /schema.graphql', () => {
  it('serves the client SDL where introspection is allowed (outside production)', async () => {
    await withHarness({}, async (harness) => {
      const response = await fetch(`${harness.origin}/schema.graphql`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/graphql; charset=utf-8');
      expect(await response.text()).toBe(committed);
      const head = await fetch(`${harness.origin}/schema.graphql`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      const post = await fetch(`${harness.origin}/schema.graphql`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      expect(await post.json()).toEqual({ errors: [{ message: 'Use GET for the schema.', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    });
  });

  it('is 404 in production, where introspection is off', async () => {
    await withHarness({ env: { NODE_ENV: 'production' } }, async (harness) => {
      const response = await fetch(`${harness.origin}/schema.graphql`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        errors: [{ message: 'The schema is not published here: introspection is off.', extensions: { code: 'NOT_FOUND' } }],
      });
    });
  });

  it('is served in production with INTROSPECTION=true', async () => {
    await withHarness({ env: { NODE_ENV: 'production', INTROSPECTION: 'true' } }, async (harness) => {
      const response = await fetch(`${harness.origin}/schema.graphql`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(committed);
    });
  });
});
