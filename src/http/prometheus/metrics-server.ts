import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeDetailed } from './detailed.js';
import { labelsOf, TextWriter, type ChunkSink } from './exposition.js';
import {
  objectTotals,
  writeChannelTotals,
  writeChurn,
  writeGlobals,
  writeIdentity,
  writeMessageSizesAndAlarms,
  writeNodeCoarse,
  writeNodeLimits,
  writeTotals,
} from './node-families.js';
import type { PrometheusBroker } from './prometheus-broker.js';
import { writeQueueSums, writeQueuesPerObject } from './queue-families.js';
import { ColumnsLease, type QueueColumns } from './queue-columns.js';
import { RuntimeMetrics } from './runtime-metrics.js';
import { writeSchemaFamilies } from './schema-families.js';

/** The text exposition format's content type, as RabbitMQ (and Prometheus's own exporters) send it. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Endpoint = 'aggregated' | 'per-object' | 'detailed';

/**
 * One scrape, written to `w`: rabbitmq_prometheus's families (names, types, labels) for /metrics
 * ('aggregated'), /metrics/per-object and /metrics/detailed, then Warren's own (warren_).
 */
export async function writeScrape(w: TextWriter, api: PrometheusBroker, runtime: RuntimeMetrics, endpoint: Endpoint, query: URLSearchParams, columns: QueueColumns): Promise<void> {
  if (endpoint === 'detailed') {
    const vhosts = query.getAll('vhost');
    await writeDetailed(w, api, new Set(query.getAll('family')), vhosts.length === 0 ? undefined : new Set(vhosts), columns);
    writeIdentity(w, api, 'detailed', labelsOf);
    await w.flush();
    return;
  }
  const totals = api.stats.totals();
  writeChurn(w, 'rabbitmq_', api);
  writeNodeCoarse(w, 'rabbitmq_', api);
  writeNodeLimits(w, 'rabbitmq_', api);
  writeChannelTotals(w, 'rabbitmq_', totals);
  const q = endpoint === 'aggregated' ? writeQueueSums(w, api) : await writeQueuesPerObject(w, api, 'rabbitmq_', new Set(['queue_coarse_metrics', 'queue_metrics'] as const), columns);
  const objects = objectTotals(api, q.queues);
  writeTotals(w, objects);
  writeGlobals(w, api, totals, objects);
  writeMessageSizesAndAlarms(w, api);
  runtime.write(w, api, q.pagedBytes);
  await writeSchemaFamilies(w, api, endpoint === 'per-object');
  writeIdentity(w, api, endpoint, labelsOf);
  await w.flush();
}

const ENDPOINTS: Readonly<Record<string, Endpoint>> = { '/metrics': 'aggregated', '/metrics/per-object': 'per-object', '/metrics/detailed': 'detailed' };

/** A scrape whose client closed the connection before the last byte: the writing stops there. */
export class ScrapeAbandoned extends Error {
  constructor() {
    super('the scrape client closed the connection before the response was written');
    this.name = 'ScrapeAbandoned';
  }
}

/**
 * Writes chunks to the response, waiting for it to drain when the socket is behind (bounded memory per
 * scrape). A client that goes away mid-scrape never drains the socket: its 'close' ends the wait with
 * ScrapeAbandoned, so the scrape stops and its buffers are released instead of waiting forever.
 */
function responseSink(res: ServerResponse): ChunkSink {
  const closed = new Promise<never>((_, reject) => res.once('close', () => reject(new ScrapeAbandoned())));
  closed.catch(() => undefined); // 'close' also ends a scrape that finished; nobody waits then
  return (chunk, reused) => {
    if (res.destroyed) return Promise.reject(new ScrapeAbandoned());
    // The write callback runs once the socket has handed the bytes to the kernel (or failed).
    if (reused === true) return Promise.race([new Promise<void>((resolve) => res.write(chunk, () => resolve())), closed]);
    if (res.write(chunk)) return undefined;
    return Promise.race([once(res, 'drain').then(() => undefined), closed]);
  };
}

export interface MetricsServer {
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * The Prometheus listener: plain node:http, GET (and HEAD) on the three paths, 404 elsewhere, 405 for
 * other methods. No authentication, as RabbitMQ's (bind it to loopback or a private network).
 */
export function createMetricsServer(api: PrometheusBroker, onError: (err: unknown) => void, onAbandoned: (path: string) => void = () => undefined): MetricsServer {
  const runtime = new RuntimeMetrics();
  runtime.start();
  const lease = new ColumnsLease();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const endpoint = ENDPOINTS[url.pathname.replace(/\/+$/, '') || '/'];
    if (endpoint === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found: try /metrics, /metrics/per-object or /metrics/detailed\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPE });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const w = new TextWriter(responseSink(res));
    const columns = lease.take();
    writeScrape(w, api, runtime, endpoint, url.searchParams, columns).then(
      () => {
        lease.give(columns);
        res.end();
      },
      (err: unknown) => {
        lease.give(columns);
        if (err instanceof ScrapeAbandoned) onAbandoned(url.pathname);
        else onError(err);
        res.destroy();
      },
    );
  };
  const server = createServer(handle);
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        runtime.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
