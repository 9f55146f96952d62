import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import type { TracejudgeConfig } from '../../src/config/index.ts';

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
  const imageCmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]) as string[];
  // What runs: the service's command (the image's, plus the stack's --config).
  const cmd = services.tracejudge.command as string[];
  const flag = (name: string) => cmd[cmd.indexOf(name) + 1];
  // The config collect reads in the container (the image's working directory is the checkout's root).
  const collectConfig = (): Promise<TracejudgeConfig> => loadConfig(join(REPO, flag('--config')), { env: services.tracejudge.environment });

  it('has Jaeger v2, Tempo, Grafana, the contrib Collector, tracejudge and the demo', () => {
    expect(Object.keys(services).sort()).toEqual(['demo', 'grafana', 'jaeger', 'otelcol', 'prometheus', 'standin', 'tempo', 'tracejudge']);
    // Every image pinned to a release (no `latest`, no bare major).
    for (const [name, service] of Object.entries(services)) if (service.image) expect(service.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
    expect(services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(services.otelcol.image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
    expect(services.tempo.image).toMatch(/^grafana\/tempo:/);
    expect(services.grafana.image).toMatch(/^grafana\/grafana:/);
  });

  it('builds tracejudge and the demo from the Dockerfile, running collect on 4318 and forwarding to the Collector', () => {
    for (const name of ['tracejudge', 'demo', 'standin']) {
      const { build } = services[name];
      expect(existsSync(resolve(COMPOSE_DIR, build.context, build.dockerfile)), name).toBe(true);
    }
    for (const copied of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
      for (const source of copied[1].split(' ')) expect(existsSync(join(REPO, source)), `COPY ${source}`).toBe(true);
    }
    // node is PID 1: SIGTERM reaches collect (npm / npx as PID 1 would exit without passing it on).
    expect(imageCmd.slice(0, 3)).toEqual(['node', 'bin/tracejudge.js', 'collect']);
    expect(cmd.slice(0, 3)).toEqual(['node', 'bin/tracejudge.js', 'collect']);
    // The service's command is the image's with the stack's config added, so the two cannot drift apart.
    expect(cmd.filter((_, index) => index !== cmd.indexOf('--config') && index !== cmd.indexOf('--config') + 1)).toEqual(imageCmd);
    expect(existsSync(join(REPO, flag('--config')))).toBe(true);
    expect(flag('--listen')).toBe('0.0.0.0:4318');
    expect(flag('--grpc-listen')).toBe('0.0.0.0:4317');
    expect(exposedPorts(services.tracejudge)).toContain(portOf(flag('--grpc-listen')));
    // The queue's state directory is a volume, so what a stop leaves queued survives the container.
    expect(services.tracejudge.volumes).toContain(`tracejudge-state:${flag('--state-dir')}`);
    expect(Object.keys(compose.volumes)).toContain('tracejudge-state');
    // The image's Node is the one the project pins.
    const pinned = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.node;
    expect(/^FROM node:(\S+)-slim$/m.exec(dockerfile)?.[1]).toBe(pinned);
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

  it('serves tracejudge metrics where compose publishes them, with the cohort labels the dashboard groups by', async () => {
    const config = await collectConfig();
    expect(config.metrics.prometheus?.listen.host).toBe('0.0.0.0');
    expect(exposedPorts(services.tracejudge)).toContain(config.metrics.prometheus!.listen.port);
    const dashboard = JSON.parse(readFileSync(join(REPO, 'examples/grafana/tracejudge-dashboard.json'), 'utf8'));
    const cohortOptions = String(dashboard.templating.list.find((entry: Yaml) => entry.name === 'cohort').query).split(',');
    const labels = [...config.metrics.cohortAttributes.map((name) => name.replaceAll('.', '_')), 'tracejudge_sampling_stratum'];
    expect(cohortOptions.sort()).toEqual(labels.sort());
  });

  it('judges with the stand-in service on the port it serves, with the key the config names', async () => {
    const config = await collectConfig();
    const [host, port] = hostPort(config.judge!.baseURL!);
    expect(host).toBe('standin');
    expect(exposedPorts(services.standin)).toContain(port);
    expect(portOf(services.standin.environment.STANDIN_LISTEN)).toBe(port);
    expect(existsSync(join(REPO, services.standin.command[1]))).toBe(true);
    expect(services.tracejudge.environment[config.judge!.apiKeyEnv]).toBeTruthy();
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

  it('checks tracejudge\'s health on its /readyz, and the demo waits for it', () => {
    const test = services.tracejudge.healthcheck.test.join(' ');
    expect(test).toContain(`http://127.0.0.1:${portOf(flag('--listen'))}/readyz`);
    expect(services.demo.depends_on.tracejudge.condition).toBe('service_healthy');
    for (const name of ['prometheus', 'grafana']) expect(services[name].healthcheck, name).toBeDefined();
  });

  it('has Prometheus scrape tracejudge\'s metrics port, and Grafana provisioned with Prometheus, Tempo, Jaeger and the dashboard', async () => {
    const prometheus = load(join(COMPOSE_DIR, 'prometheus.yml'));
    const config = await collectConfig();
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual([`tracejudge:${config.metrics.prometheus!.listen.port}`]);
    const datasources = ['prometheus', 'tempo', 'jaeger'].flatMap((file) => load(join(COMPOSE_DIR, `grafana/provisioning/datasources/${file}.yaml`)).datasources as Yaml[]);
    const byType = Object.fromEntries(datasources.map((datasource) => [datasource.type, datasource]));
    expect(hostPort(byType.prometheus.url)).toEqual(['prometheus', 9090]);
    expect(exposedPorts(services.prometheus)).toContain(9090);
    expect(hostPort(byType.jaeger.url)).toEqual(['jaeger', 16686]);
    expect(exposedPorts(services.jaeger)).toContain(16686);
    // The dashboards provider reads the folder the dashboard file is mounted into.
    const provider = load(join(COMPOSE_DIR, 'grafana/provisioning/dashboards/tracejudge.yaml')).providers[0];
    const mount = (services.grafana.volumes as string[]).find((volume) => volume.includes('tracejudge-dashboard.json'))!;
    const [source, target] = mount.split(':');
    expect(existsSync(resolve(COMPOSE_DIR, source!))).toBe(true);
    expect(target!.startsWith(`${provider.options.path}/`)).toBe(true);
    // A provisioned dashboard gets no import prompt: its ${DS_PROMETHEUS} is a datasource variable of the Prometheus type.
    const dashboard = JSON.parse(readFileSync(resolve(COMPOSE_DIR, source!), 'utf8'));
    const variable = dashboard.templating.list.find((entry: Yaml) => entry.name === 'DS_PROMETHEUS');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
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
        const source = String(volume).split(':')[0]!;
        // A named volume (declared under `volumes:`) is Docker's to create; a path must exist.
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
        else expect(existsSync(resolve(COMPOSE_DIR, source)), `${name}: ${source}`).toBe(true);
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
      for (const file of ['compose.yaml', 'otelcol.yaml', 'tempo.yaml', 'prometheus.yml', 'tracejudge.yaml', 'otelcol-load-balancing.yaml']) {
        const path = join(dir, file);
        if (existsSync(path)) expect(load(path), path).toBeTypeOf('object');
      }
    }
  });
});
