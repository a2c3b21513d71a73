import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { handleError, notFound } from './errors.js';
import type { ManagementBroker } from './management-broker.js';
import { accessRoutes } from './routes/access.js';
import { bindingWriteRoutes } from './routes/binding-writes.js';
import { bindingRoutes } from './routes/bindings.js';
import { exchangeWriteRoutes } from './routes/exchange-writes.js';
import { queueWriteRoutes } from './routes/queue-writes.js';
import { registerBodyDecoder } from './write-input.js';
import { connectionRoutes } from './routes/connections.js';
import { dashboardRoutes, defaultDashboardDir } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { inspectRoutes } from './routes/inspect.js';
import { overviewRoutes } from './routes/overview.js';
import { queueExchangeRoutes } from './routes/queues-exchanges.js';
import { schemaRegistryRoutes } from './routes/schema-registry.js';
import { exchangeSchemaRoutes } from './routes/exchange-schema.js';
import { vhostUserRoutes } from './routes/vhosts-users.js';

export interface AppOptions {
  /** A pino logger (the broker's; give it level warn unless every request should be logged); default: fastify logs nothing. */
  readonly logger?: FastifyBaseLogger;
  /** Largest request body in bytes (RabbitMQ's management.http.max_body_size default, 20 MB). */
  readonly bodyLimit?: number;
  /** The web dashboard's folder (served at / and /dashboard/); default the package's web/, null for none. */
  readonly dashboardDir?: string | null;
}

/**
 * The management HTTP API, shaped like RabbitMQ's (/api/...): one module per resource, every route
 * with its schemas, one error handler. Never listens by itself: the broker (src/broker-management.ts)
 * does, and tests call inject().
 */
export function buildApp(api: ManagementBroker, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.logger !== undefined ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 20_000_000,
    // Queue and connection names run to 255 bytes, several times that percent-encoded.
    routerOptions: { maxParamLength: 2048 },
  }) as unknown as FastifyInstance;
  app.setErrorHandler(handleError);
  registerBodyDecoder(app); // every body as RabbitMQ decodes it, whatever its content type
  app.setNotFoundHandler((_request, reply) => {
    const e = notFound();
    void reply.code(404).send({ error: e.error, reason: e.reason });
  });
  overviewRoutes(app, api);
  vhostUserRoutes(app, api);
  queueExchangeRoutes(app, api);
  bindingRoutes(app, api);
  connectionRoutes(app, api);
  healthRoutes(app, api);
  accessRoutes(app, api);
  queueWriteRoutes(app, api);
  exchangeWriteRoutes(app, api);
  bindingWriteRoutes(app, api);
  inspectRoutes(app, api);
  schemaRegistryRoutes(app, api);
  exchangeSchemaRoutes(app, api);
  dashboardRoutes(app, options.dashboardDir === undefined ? defaultDashboardDir() : (options.dashboardDir ?? undefined));
  return app;
}
