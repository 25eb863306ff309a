// The tests' stand-in for `kubectl kustomize` (test/deploy/kustomize.ts): JSON patches as RFC 6902
// says, and a refusal, naming the file, for whatever it does not apply.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { applyJsonPatch, renderKustomization, type JsonObject } from './kustomize.ts';

const CONFIG_MAP: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { A: '1', 'x/y': '2' }, list: [1, 2, 3] };

describe('applyJsonPatch', () => {
  it('adds, replaces and removes members and array items, leaving the original alone', () => {
    const patched = applyJsonPatch(CONFIG_MAP, [
      { op: 'add', path: '/data/B', value: '3' },
      { op: 'replace', path: '/data/A', value: 'one' },
      { op: 'remove', path: '/data/x~1y' },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'replace', path: '/list/1', value: 10 },
      { op: 'remove', path: '/list/2' },
    ]);
    expect(patched['data']).toEqual({ A: 'one', B: '3' });
    expect(patched['list']).toEqual([0, 10, 3, 4]);
    expect(CONFIG_MAP['data']).toEqual({ A: '1', 'x/y': '2' });
  });

  it('test passes on an equal value and stops the patch on another', () => {
    expect(applyJsonPatch(CONFIG_MAP, [{ op: 'test', path: '/list', value: [1, 2, 3] }])).toEqual(CONFIG_MAP);
    expect(() => applyJsonPatch(CONFIG_MAP, [{ op: 'test', path: '/data/A', value: '2' }], 'p.yaml')).toThrow(
      'p.yaml[0]: test /data/A expected "2", found "1"',
    );
  });

  it.each([
    [{ op: 'replace', path: '/data/C', value: 'x' }, 'replace /data/C: nothing there'],
    [{ op: 'remove', path: '/list/3' }, '/list/3: index 3 is past the end of an array of 3'],
    [{ op: 'add', path: '/missing/A', value: 'x' }, '/missing/A: nothing at "missing"'],
    [{ op: 'move', from: '/data/A', path: '/data/B' }, 'op "move" is not applied here'],
    [{ op: 'add', path: '/data/B', value: 'x', from: '/data/A' }, 'add takes no from'],
    [{ op: 'copy', path: '/data/B' }, 'op "copy" is not applied here'],
    [{ op: 'add', path: 'data/B', value: 'x' }, 'must start with /'],
    [{ op: 'add', path: '/data/B' }, 'add /data/B needs a value'],
  ])('refuses %j', (operation, message) => {
    expect(() => applyJsonPatch(CONFIG_MAP, [operation])).toThrow(message);
  });
});

describe('renderKustomization', () => {
  let directory: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(directory, path, '..'), { recursive: true });
    writeFileSync(join(directory, path), text);
  };
  const kustomization = (path: string, body: string) => {
    write(join(path, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`);
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kustomize-test-'));
    kustomization('base', 'resources:\n  - objects.yaml\n');
    write(
      'base/objects.yaml',
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  A: "1"',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.0\n        - name: other\n          image: other:2.0',
      ].join('\n---\n'),
    );
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('renders a base through an overlay: patches, namespace, images', () => {
    kustomization(
      'overlay',
      'namespace: team\nresources:\n  - ../base\nimages:\n  - name: app\n    newName: registry.example/app\n    newTag: "1.1"\npatches:\n  - target:\n      kind: ConfigMap\n      name: settings\n    patch: |\n      - op: add\n        path: /data/B\n        value: "2"\n',
    );
    const rendered = renderKustomization(join(directory, 'overlay'), directory);
    expect(rendered.map((item) => item.file)).toEqual(['base/objects.yaml', 'base/objects.yaml']);
    expect(rendered[0]?.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team' }, data: { A: '1', B: '2' } });
    expect(JSON.stringify(rendered[1]?.object)).toContain('"image":"registry.example/app:1.1"');
    expect(JSON.stringify(rendered[1]?.object)).toContain('"image":"other:2.0"');
  });

  it.each([
    [
      'a field it does not apply',
      'resources:\n  - ../base\ncommonLabels:\n  a: b\n',
      'overlay/kustomization.yaml: commonLabels is not applied by test/deploy/kustomize.ts',
    ],
    ['a resource that does not exist', 'resources:\n  - ../base\n  - missing.yaml\n', 'overlay/kustomization.yaml: resource missing.yaml does not exist'],
    [
      'a patch whose target matches nothing',
      'resources:\n  - ../base\npatches:\n  - target:\n      kind: ConfigMap\n      name: other\n    patch: "[]"\n',
      'its target {"kind":"ConfigMap","name":"other"} matches no object',
    ],
    [
      'a patch file that does not exist',
      'resources:\n  - ../base\npatches:\n  - target:\n      kind: ConfigMap\n    path: missing.yaml\n',
      'patch file missing.yaml does not exist',
    ],
    [
      'a strategic-merge patch',
      'resources:\n  - ../base\npatches:\n  - target:\n      kind: ConfigMap\n    patch: "data: {B: x}"\n',
      'only JSON patches (a list of operations) are applied here',
    ],
    [
      'a target selecting by label',
      'resources:\n  - ../base\npatches:\n  - target:\n      labelSelector: a=b\n    patch: "[]"\n',
      'target labelSelector is not applied here',
    ],
  ])('refuses %s', (_what, body, message) => {
    kustomization('overlay', body);
    expect(() => renderKustomization(join(directory, 'overlay'), directory)).toThrow(message);
  });
});
