import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../../src/config/index.ts';

/**
 * Docker does not run where these examples were written, so they were never started: this
 * checks what can be checked without it — every file parses, and the services agree on
 * hosts, ports and endpoints (a renamed service or a changed port fails here).
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_DIR = join(REPO, 'examples/compose');
const COLLECTOR_DIR = join(REPO, 'examples/collector');

type Yaml = Record<string, any>;
const load = (path: string): Yaml => parse(readFileSync(path, 'utf8')) as Yaml;

/** `http://host:port/...` or `host:port` → [host, port]. */
function hostPort(endpoint: string): [string, number] {
  const url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  return [url.hostname, Number(url.port)];
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

/** Every component a pipeline names is defined (the Collector refuses to start otherwise). */
function expectPipelinesWired(config: Yaml): void {
  for (const [name, pipeline] of Object.entries<Yaml>(config.service.pipelines)) {
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const component of pipeline[kind] ?? []) {
        expect(Object.keys(config[kind] ?? {}), `${name}.${kind}`).toContain(component);
      }
    }
  }
}

function exposedPorts(service: Yaml): number[] {
  const published = (service.ports ?? []).map((mapping: string) => Number(String(mapping).split(':').at(-1)));
  return [...published, ...(service.expose ?? []).map(Number)];
}

describe('examples/compose', () => {
  const compose = load(join(COMPOSE_DIR, 'compose.yaml'));
  const services = compose.services as Record<string, Yaml>;
  const dockerfile = readFileSync(join(COMPOSE_DIR, 'Dockerfile'), 'utf8');
  const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]) as string[];
  const flag = (name: string) => cmd[cmd.indexOf(name) + 1];

  it('has Jaeger v2, Tempo, Grafana, the contrib Collector, tracejudge and the demo', () => {
    expect(Object.keys(services).sort()).toEqual(['demo', 'grafana', 'jaeger', 'otelcol', 'tempo', 'tracejudge']);
    expect(services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(services.otelcol.image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
    expect(services.tempo.image).toMatch(/^grafana\/tempo:/);
    expect(services.grafana.image).toMatch(/^grafana\/grafana:/);
  });

  it('builds tracejudge and the demo from the Dockerfile, running collect on 4318 and forwarding to the Collector', () => {
    for (const name of ['tracejudge', 'demo']) {
      const { build } = services[name];
      expect(existsSync(resolve(COMPOSE_DIR, build.context, build.dockerfile)), name).toBe(true);
    }
    for (const copied of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
      for (const source of copied[1].split(' ')) expect(existsSync(join(REPO, source)), `COPY ${source}`).toBe(true);
    }
    expect(cmd.slice(0, 3)).toEqual(['npx', 'tracejudge', 'collect']);
    expect(flag('--listen')).toBe('0.0.0.0:4318');
    expect(exposedPorts(services.tracejudge)).toContain(portOf(flag('--listen')));
    const [forwardHost, forwardPort] = hostPort(flag('--forward'));
    expect(Object.keys(services)).toContain(forwardHost);
    const otelcol = load(join(COMPOSE_DIR, 'otelcol.yaml'));
    expect(portOf(otelcol.receivers.otlp.protocols.http.endpoint)).toBe(forwardPort);
    expect(exposedPorts(services.otelcol)).toContain(forwardPort);
  });

  it('sends the demo through tracejudge', () => {
    const [host, port] = hostPort(services.demo.environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(host).toBe('tracejudge');
    expect(port).toBe(portOf(flag('--listen')));
    expect(services.demo.command).toEqual(['npm', 'run', 'demo']);
  });

  it('serves tracejudge metrics where compose publishes them (the variable parses as the metrics section)', () => {
    const config = resolveConfig({}, { env: services.tracejudge.environment });
    expect(config.metrics.prometheus?.listen.host).toBe('0.0.0.0');
    expect(exposedPorts(services.tracejudge)).toContain(config.metrics.prometheus!.listen.port);
  });

  it('fans the Collector out to Jaeger and Tempo on ports they listen on', () => {
    const otelcol = load(join(COMPOSE_DIR, 'otelcol.yaml'));
    expectPipelinesWired(otelcol);
    const tempo = load(join(COMPOSE_DIR, 'tempo.yaml'));
    const targets = Object.entries<Yaml>(otelcol.exporters)
      .filter(([name]) => name.startsWith('otlphttp/'))
      .map(([, exporter]) => hostPort(exporter.endpoint));
    expect(targets.map(([host]) => host).sort()).toEqual(['jaeger', 'tempo']);
    for (const [host, port] of targets) expect(exposedPorts(services[host]), host).toContain(port);
    expect(portOf(tempo.distributor.receivers.otlp.protocols.http.endpoint)).toBe(targets.find(([host]) => host === 'tempo')![1]);
  });

  it('provisions Grafana with a Tempo datasource on Tempo’s HTTP port', () => {
    const tempo = load(join(COMPOSE_DIR, 'tempo.yaml'));
    const provisioned = load(join(COMPOSE_DIR, 'grafana/provisioning/datasources/tempo.yaml'));
    const datasource = provisioned.datasources.find((d: Yaml) => d.type === 'tempo');
    expect(hostPort(datasource.url)).toEqual(['tempo', tempo.server.http_listen_port]);
    expect(exposedPorts(services.tempo)).toContain(tempo.server.http_listen_port);
  });

  it('mounts only files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0];
        expect(existsSync(resolve(COMPOSE_DIR, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });
});

describe('examples/collector', () => {
  const balancer = load(join(COLLECTOR_DIR, 'otelcol-load-balancing.yaml'));

  it('routes by gen_ai.conversation.id with the load_balancing exporter', () => {
    expectPipelinesWired(balancer);
    const exporter = balancer.exporters.load_balancing;
    expect(exporter.routing_key).toBe('attributes');
    expect(exporter.routing_attributes).toEqual(['gen_ai.conversation.id']);
    expect(exporter.protocol.otlp.endpoint).toBeUndefined();
    expect(exporter.resolver.static.hostnames.length).toBeGreaterThan(1);
  });

  it('reaches every replica straight on tracejudge collect\'s OTLP/gRPC port (4317, `--grpc-listen`), no sidecar', async () => {
    const { TracejudgeConfigSchema } = await import('../../src/config/index.ts');
    const grpcPort = TracejudgeConfigSchema.parse({}).receiver.grpcListen;
    expect(grpcPort).not.toBe('off');
    for (const hostname of balancer.exporters.load_balancing.resolver.static.hostnames) expect(portOf(hostname)).toBe((grpcPort as { port: number }).port);
    expect(existsSync(join(COLLECTOR_DIR, 'otelcol-replica-sidecar.yaml'))).toBe(false);
  });

  it('every example YAML parses', () => {
    for (const dir of [COMPOSE_DIR, COLLECTOR_DIR]) {
      for (const file of ['compose.yaml', 'otelcol.yaml', 'tempo.yaml', 'otelcol-load-balancing.yaml']) {
        const path = join(dir, file);
        if (existsSync(path)) expect(load(path), path).toBeTypeOf('object');
      }
    }
  });
});
