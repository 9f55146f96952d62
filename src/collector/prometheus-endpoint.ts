import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ListenAddress } from '../config/receiver.ts';

/**
 * A Prometheus scrape endpoint (`GET /metrics`) for collect's own metrics: a MeterProvider
 * whose one reader is the Prometheus exporter, pulled on each scrape. The exporter's own
 * server is not used: ours reports the bound port (port 0 in tests) and a listen error
 * at startup instead of through a callback.
 */
export class PrometheusEndpoint {
  readonly meterProvider: MeterProvider;
  readonly #exporter: PrometheusExporter;
  readonly #server: Server;
  readonly #listen: ListenAddress;

  constructor(listen: ListenAddress) {
    this.#listen = listen;
    this.#exporter = new PrometheusExporter({ preventServerStart: true });
    this.meterProvider = new MeterProvider({ readers: [this.#exporter] });
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?', 1)[0];
      if (path === '/metrics' && (request.method === 'GET' || request.method === 'HEAD')) {
        this.#exporter.getMetricsRequestHandler(request, response);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are served on GET /metrics\n');
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#listen.port, this.#listen.host, () => {
        this.#server.removeListener('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Serves until the last moment of a shutdown, so a final scrape sees the final counts. */
  async shutdown(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    await this.meterProvider.shutdown();
  }
}
