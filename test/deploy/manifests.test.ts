// deploy/kubernetes/ without a cluster: every object of the base and of the rendered example overlay
// validates against the Kubernetes 1.36 schema and types (test/deploy/kubernetes-schema.ts), and
// the manifests agree with the code (routes, port, variables, shutdown), the image (user, port) and
// the bench (resources).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import {
  at,
  BASE_DIR,
  configVariables,
  deployed,
  dockerEnv,
  dockerRuntimeStage,
  environmentOf,
  listAt,
  mappings,
  numberAt,
  objectAt,
  only,
  OVERLAY_DIR,
  preStopSeconds,
  quantity,
  ROOT,
  secretVariables,
  stringAt,
} from './deployed.ts';
import { KUBERNETES_MODELS_VERSION, KUBERNETES_VERSION, schemaProblems, typeProblems } from './kubernetes-schema.ts';
import { shown, type JsonObject } from './kustomize.ts';

const base = deployed(BASE_DIR);
const overlay = deployed(OVERLAY_DIR);
const every = [
  ...base.objects.map((rendered) => ({ ...rendered, source: 'base' })),
  ...overlay.objects.map((rendered) => ({ ...rendered, source: 'overlays/example' })),
];
const label = (object: JsonObject) => `${shown(object['kind'])}/${shown(at(object, 'metadata', 'name'))}`;

/** Users of the base images the Dockerfile may start from, as those images create them. */
const IMAGE_USERS: Readonly<Record<string, { readonly uid: number; readonly gid: number }>> = {
  // The official Node.js images (node:<version>-bookworm-slim) create `node` with uid and gid 1000.
  node: { uid: 1000, gid: 1000 },
};

interface BenchRow {
  readonly latencyMs: number;
  readonly connections: number;
  readonly server: string;
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly peakRssKb: number;
  readonly runs: readonly { readonly rps: number; readonly cpuUsPerRequest: number }[];
}

function isBenchRow(value: unknown): value is BenchRow {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['latencyMs', 'connections', 'server', 'rps', 'cpuUsPerRequest', 'peakRssKb'].every((key) => key in value) &&
    'runs' in value &&
    Array.isArray(value.runs)
  );
}

/** The gateway's measurements in bench/results/latest.json (with and without its page cache). */
function gatewayBenchRows(): BenchRow[] {
  const bench: unknown = JSON.parse(readFileSync(join(ROOT, 'bench/results/latest.json'), 'utf8'));
  const rows: unknown = typeof bench === 'object' && bench !== null && 'rows' in bench ? bench.rows : [];
  if (!Array.isArray(rows)) throw new Error('bench/results/latest.json has no rows');
  return rows.filter(isBenchRow).filter((row) => row.server === 'gateway' || row.server === 'gatewayCached');
}

describe(`every manifest against the Kubernetes ${KUBERNETES_VERSION} schema`, () => {
  it(`pins kubernetes-models at exactly ${KUBERNETES_MODELS_VERSION}, the release generated from Kubernetes ${KUBERNETES_VERSION}`, () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['kubernetes-models']).toBe(KUBERNETES_MODELS_VERSION);
  });

  it.each(every.map((rendered) => [`${rendered.source}: ${label(rendered.object)} (${rendered.file})`, rendered.object] as const))(
    '%s validates',
    async (_name, object) => {
      expect(await schemaProblems(object)).toEqual([]);
    },
  );

  it('names no field that the Kubernetes types lack, and no value of the wrong type', () => {
    expect(typeProblems(every, ROOT)).toEqual([]);
  });

  it('would catch a misspelt field, which the schema alone lets through', async () => {
    const strategy = objectAt(overlay.deployment, 'spec', 'strategy');
    const misspelt = {
      ...overlay.deployment,
      spec: { ...objectAt(overlay.deployment, 'spec'), strategy: { ...strategy, rollingUpdate: { maxUnavailble: 0 } } },
    };
    expect(await schemaProblems(misspelt)).toEqual([]);
    expect(typeProblems([{ file: 'misspelt', object: misspelt }], ROOT).join('\n')).toMatch(/maxUnavailble.*does not exist in type/);
  });

  it('would catch a value of the wrong type', async () => {
    const port = {
      ...only(overlay.objects, 'Service'),
      spec: { ...objectAt(only(overlay.objects, 'Service'), 'spec'), ports: [{ name: 'http', port: '80' }] },
    };
    expect((await schemaProblems(port)).join('\n')).toMatch(/ports\/0\/port must be integer/);
  });

  it('ships no Secret with values and no Redis: Redis is external or managed', () => {
    const kinds = every.map((rendered) => rendered.object['kind']);
    expect(kinds).not.toContain('Secret');
    const workloads = every.filter((rendered) =>
      ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'ReplicaSet', 'Job', 'CronJob'].includes(shown(rendered.object['kind'])),
    );
    expect(workloads.map((rendered) => label(rendered.object))).toEqual(['Deployment/capture-gateway', 'Deployment/capture-gateway']);
    expect(JSON.stringify(every.map((rendered) => rendered.object))).not.toMatch(/image"?:\s*"[^"]*redis/i);
  });
});

describe('the example overlay', () => {
  it('lists resources that exist and patches that each target an object (rendering would fail otherwise)', () => {
    expect(overlay.objects.map((rendered) => label(rendered.object)).sort()).toEqual([
      'ConfigMap/capture-gateway-settings',
      'Deployment/capture-gateway',
      'HorizontalPodAutoscaler/capture-gateway',
      'Namespace/capture-gateway',
      'NetworkPolicy/capture-gateway',
      'PodDisruptionBudget/capture-gateway',
      'Service/capture-gateway',
      'ServiceAccount/capture-gateway',
    ]);
  });

  it("puts every namespaced object in its namespace, held to the Pod Security Standard 'restricted'", () => {
    for (const { object } of overlay.objects) {
      if (object['kind'] === 'Namespace') expect(at(object, 'metadata', 'labels', 'pod-security.kubernetes.io/enforce')).toBe('restricted');
      else expect(at(object, 'metadata', 'namespace')).toBe('capture-gateway');
    }
  });

  it('sets the image, the CFW region and project, and the addresses the NetworkPolicy allows', () => {
    expect(at(overlay.container, 'image')).toBe('swr.ap-southeast-1.myhuaweicloud.com/example-org/capture-gateway:0.1.0');
    expect(overlay.settings['CFW_ENDPOINT']).toBe('https://cfw.ap-southeast-1.myhuaweicloud.com');
    expect(overlay.settings['CFW_PROJECT_ID']).toMatch(/^[0-9a-f]{32}$/);
    const policy = only(overlay.objects, 'NetworkPolicy');
    expect(at(policy, 'spec', 'ingress', 0, 'from', 0, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')).toBe('graphql-router');
    expect(at(policy, 'spec', 'egress', 2, 'to', 0, 'ipBlock', 'cidr')).toBe('10.0.32.14/32');
  });
});

describe('the Deployment', () => {
  const { deployment, pod, container } = overlay;

  it('runs at least 3 replicas, the HPA minimum, and rolls out without losing one (maxUnavailable 0)', () => {
    expect(numberAt(deployment, 'spec', 'replicas')).toBeGreaterThanOrEqual(3);
    expect(numberAt(deployment, 'spec', 'replicas')).toBe(numberAt(only(overlay.objects, 'HorizontalPodAutoscaler'), 'spec', 'minReplicas'));
    expect(at(deployment, 'spec', 'strategy', 'type')).toBe('RollingUpdate');
    expect(at(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable')).toBe(0);
    expect(numberAt(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxSurge')).toBeGreaterThanOrEqual(1);
  });

  it('spreads its pods over nodes and zones', () => {
    const podLabels = objectAt(deployment, 'spec', 'template', 'metadata', 'labels');
    const spread = mappings(listAt(pod, 'topologySpreadConstraints'));
    expect(spread.map((constraint) => constraint['topologyKey']).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const constraint of spread) {
      for (const [key, value] of Object.entries(objectAt(constraint, 'labelSelector', 'matchLabels'))) expect(podLabels[key]).toBe(value);
    }
  });

  it('runs as the non-root user of the image, on a read-only root, without privilege escalation, capabilities or an unconfined seccomp profile', () => {
    const user = /^USER (\S+)$/m.exec(dockerRuntimeStage())?.[1] ?? '';
    const image =
      IMAGE_USERS[user] ?? (/^\d+(:\d+)?$/.test(user) ? { uid: Number(user.split(':')[0]), gid: Number(user.split(':')[1] ?? user.split(':')[0]) } : undefined);
    expect(image).toEqual({ uid: 1000, gid: 1000 });
    expect(dockerRuntimeStage()).toMatch(/^FROM node:/m);
    for (const context of [objectAt(pod, 'securityContext'), objectAt(container, 'securityContext')]) {
      expect(context['runAsNonRoot']).toBe(true);
      expect(context['runAsUser']).toBe(image?.uid);
      expect(context['runAsGroup']).toBe(image?.gid);
      expect(at(context, 'seccompProfile', 'type')).toBe('RuntimeDefault');
    }
    const context = objectAt(container, 'securityContext');
    expect(context['readOnlyRootFilesystem']).toBe(true);
    expect(context['allowPrivilegeEscalation']).toBe(false);
    expect(context['privileged']).toBe(false);
    expect(at(context, 'capabilities', 'drop')).toEqual(['ALL']);
    expect(objectAt(context, 'capabilities')['add']).toBeUndefined();
    expect(pod['automountServiceAccountToken']).toBe(false);
  });

  it('listens on PORT, as the image and the ConfigMap set it, and the Service, probes and scrape annotation use that port', () => {
    const ports = mappings(listAt(container, 'ports'));
    expect(ports).toEqual([{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    const containerPort = numberAt(ports[0], 'containerPort');
    expect(overlay.settings['PORT']).toBe(String(containerPort));
    expect(dockerEnv()['PORT']).toBe(String(containerPort));
    expect(loadConfig(environmentOf(overlay)).port).toBe(containerPort);
    expect(at(only(overlay.objects, 'Service'), 'spec', 'ports', 0, 'targetPort')).toBe('http');
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(at(container, probe, 'httpGet', 'port')).toBe('http');
    expect(at(deployment, 'spec', 'template', 'metadata', 'annotations', 'prometheus.io/port')).toBe(String(containerPort));
    expect(at(deployment, 'spec', 'template', 'metadata', 'annotations', 'prometheus.io/path')).toBe('/metrics');
    for (const rule of mappings(listAt(only(overlay.objects, 'NetworkPolicy'), 'spec', 'ingress'))) expect(at(rule, 'ports', 0, 'port')).toBe('http');
  });

  it('probes liveness on /healthz, readiness on /readyz, and has a startup probe', () => {
    expect(at(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    expect(at(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(at(container, 'startupProbe', 'httpGet', 'path')).toBe('/healthz');
  });

  it('waits in preStop with the native sleep action, then has a grace period longer than preStop + DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS', () => {
    expect(Object.keys(objectAt(container, 'lifecycle', 'preStop'))).toEqual(['sleep']);
    const config = loadConfig(environmentOf(overlay));
    // Its default depends on NODE_ENV (5000 in production): the ConfigMap says it outright.
    const drainDelayMs = Number(overlay.settings['DRAIN_DELAY_MS']);
    expect(Number.isInteger(drainDelayMs)).toBe(true);
    const needed = preStopSeconds(container) + drainDelayMs / 1000 + config.shutdownTimeoutMs / 1000;
    expect(numberAt(pod, 'terminationGracePeriodSeconds')).toBeGreaterThan(needed);
  });

  it('takes AK/SK, inbound API keys and the Redis URL from the Secret, never from the ConfigMap', () => {
    expect(secretVariables(container).sort()).toEqual([
      'CLOUD_SDK_AK',
      'CLOUD_SDK_SECURITY_TOKEN',
      'CLOUD_SDK_SK',
      'INBOUND_API_KEYS_SHA256',
      'INBOUND_WRITE_API_KEYS_SHA256',
      'REDIS_URL',
    ]);
    for (const name of secretVariables(container)) expect(Object.keys(overlay.settings)).not.toContain(name);
    expect(Object.keys(overlay.settings).filter((name) => /SK|SECRET|TOKEN|PASSWORD|KEYS_SHA256|REDIS_URL/.test(name))).toEqual([]);
  });

  it('asks for the memory and CPU the bench measured', () => {
    const rows = gatewayBenchRows();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const peakRssBytes = Math.max(...rows.map((row) => row.peakRssKb * 1024));
    const mostCores = Math.max(...rows.flatMap((row) => row.runs.map((run) => (run.rps * run.cpuUsPerRequest) / 1e6)));
    const requests = objectAt(container, 'resources', 'requests');
    const limits = objectAt(container, 'resources', 'limits');
    // Memory: the request covers the highest peak RSS under load, the limit a third more.
    expect(quantity(at(requests, 'memory'))).toBeGreaterThanOrEqual(peakRssBytes);
    expect(quantity(at(limits, 'memory'))).toBeGreaterThanOrEqual((peakRssBytes * 4) / 3);
    // CPU: the limit never takes away what a saturated gateway used, and the HPA adds pods before
    // one reaches the load at which the gateway queued (first: 50, 20 ms upstream, 32 connections:
    // its p99 well above the same load at 4 connections).
    expect(quantity(at(limits, 'cpu'))).toBeGreaterThanOrEqual(mostCores);
    const queued = rows.find((row) => row.server === 'gateway' && row.latencyMs === 20 && row.connections === 32);
    if (queued === undefined) throw new Error('bench/results/latest.json has no gateway row at 20 ms and 32 connections');
    const target = numberAt(only(overlay.objects, 'HorizontalPodAutoscaler'), 'spec', 'metrics', 0, 'resource', 'target', 'averageUtilization');
    expect((quantity(at(requests, 'cpu')) * target) / 100).toBeLessThan((queued.rps * queued.cpuUsPerRequest) / 1e6);
  });
});

describe('the settings', () => {
  const variables = configVariables();
  const named = [
    ...new Set([
      ...Object.keys(base.settings),
      ...Object.keys(overlay.settings),
      ...mappings(listAt(overlay.container, 'env')).map((variable) => stringAt(variable, 'name')),
    ]),
  ].sort();

  it.each(named)('%s is a variable the gateway reads (src/config.ts)', (name) => {
    expect(variables.has(name)).toBe(true);
  });

  it('the ConfigMap agrees with the image on NODE_ENV, HOST and PORT', () => {
    for (const name of ['NODE_ENV', 'HOST', 'PORT']) expect(overlay.settings[name]).toBe(dockerEnv()[name]);
  });

  it("are accepted by the gateway's config with the overlay, and refused without it (no CFW endpoint in production)", () => {
    const config = loadConfig(environmentOf(overlay));
    expect(config.auth.mode).toBe('aksk');
    expect(config.upstream.endpoint).toBe('https://cfw.ap-southeast-1.myhuaweicloud.com');
    expect(config.cache.redisUrl).toBe('redis://:password@10.0.32.14:6379');
    expect(() => loadConfig(environmentOf(base))).toThrow(ConfigError);
    expect(() => loadConfig(environmentOf(base))).toThrow(/CFW_ENDPOINT is required when NODE_ENV=production/);
  });
});

describe('the probes against a running gateway', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it.each(['startupProbe', 'livenessProbe', 'readinessProbe'])('%s asks a route the gateway serves, and a ready gateway answers 200', async (probe) => {
    const path = stringAt(overlay.container, probe, 'httpGet', 'path');
    const response = await fetch(`${harness.origin}${path}`);
    await response.text();
    expect(response.status).toBe(200);
  });
});

describe('the other objects', () => {
  const podLabels = objectAt(overlay.deployment, 'spec', 'template', 'metadata', 'labels');
  const selects = (selector: JsonObject) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);

  it("the Service selects the gateway's pods", () => {
    expect(selects(objectAt(only(overlay.objects, 'Service'), 'spec', 'selector'))).toBe(true);
  });

  it('the HPA scales the Deployment on CPU, and scales down only after a stabilization window', () => {
    const hpa = only(overlay.objects, 'HorizontalPodAutoscaler');
    expect(at(hpa, 'apiVersion')).toBe('autoscaling/v2');
    expect(objectAt(hpa, 'spec', 'scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: at(overlay.deployment, 'metadata', 'name') });
    expect(listAt(hpa, 'spec', 'metrics')).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(numberAt(hpa, 'spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds')).toBeGreaterThanOrEqual(60);
    expect(numberAt(hpa, 'spec', 'maxReplicas')).toBeGreaterThan(numberAt(hpa, 'spec', 'minReplicas'));
  });

  it('the PodDisruptionBudget selects the pods and lets one go at a time, so node drains proceed', () => {
    const pdb = only(overlay.objects, 'PodDisruptionBudget');
    expect(at(pdb, 'apiVersion')).toBe('policy/v1');
    expect(selects(objectAt(pdb, 'spec', 'selector', 'matchLabels'))).toBe(true);
    expect(at(pdb, 'spec', 'maxUnavailable')).toBe(1);
  });

  it('the NetworkPolicy lets in only the router and Prometheus namespaces, and out only DNS, HTTPS (CFW) and Redis', () => {
    const policy = only(overlay.objects, 'NetworkPolicy');
    expect(at(policy, 'apiVersion')).toBe('networking.k8s.io/v1');
    expect(selects(objectAt(policy, 'spec', 'podSelector', 'matchLabels'))).toBe(true);
    expect(at(policy, 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress']);
    const ingress = mappings(listAt(policy, 'spec', 'ingress'));
    const sources = ingress.flatMap((rule) => mappings(listAt(rule, 'from')));
    // Only namespaces named outright: no ipBlock, no empty selector (which would mean everyone).
    expect(sources.map((source) => Object.keys(source))).toEqual([['namespaceSelector'], ['namespaceSelector']]);
    expect(sources.map((source) => at(source, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'))).toEqual(['graphql-router', 'monitoring']);
    const egress = mappings(listAt(policy, 'spec', 'egress'));
    expect(egress.map((rule) => mappings(listAt(rule, 'ports')).map((port) => `${shown(port['protocol'])}/${shown(port['port'])}`))).toEqual([
      ['UDP/53', 'TCP/53'],
      ['TCP/443'],
      ['TCP/6379'],
    ]);
    expect(at(egress[0], 'to', 0, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')).toBe('kube-system');
    expect(at(egress[1], 'to', 0, 'ipBlock', 'except')).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
  });
});
