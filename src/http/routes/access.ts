import type { FastifyInstance } from 'fastify';
import type { ManagementBroker } from '../management-broker.js';
import { rabbitWrites } from '../write-scope.js';
import { accessWriteRoutes } from './access-writes.js';
import { definitionRoutes } from './definitions.js';
import { limitTopicRoutes } from './limits-topics.js';
import { natsBridgeRoutes } from './nats-bridges.js';
import { parameterRoutes } from './parameters.js';
import { policyRoutes } from './policies.js';

/**
 * Users, vhosts, permissions, topic permissions, limits, policies, parameters and definitions: the
 * routes that write them (and their per-object GETs), in one fastify scope with RabbitMQ's body
 * reading and refusals (src/http/write-scope.ts).
 */
export function accessRoutes(app: FastifyInstance, api: ManagementBroker): void {
  void app.register(async (scope) => {
    rabbitWrites(scope);
    accessWriteRoutes(scope, api);
    limitTopicRoutes(scope, api);
    policyRoutes(scope, api);
    parameterRoutes(scope, api);
    natsBridgeRoutes(scope, api);
    definitionRoutes(scope, api);
  });
}
