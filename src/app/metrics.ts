import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process; `GET /metrics` exposes the registry. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'orderly_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'orderly_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'orderly_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
    }),
    ordersPlaced: new Counter({ name: 'orderly_orders_placed_total', help: 'Orders placed', labelNames: ['channel'], registers: [registry] }),
    commandsRefused: new Counter({ name: 'orderly_commands_refused_total', help: 'Commands refused', labelNames: ['code'], registers: [registry] }),
    duplicatesSuppressed: new Counter({
      name: 'orderly_duplicates_suppressed_total', help: 'Requests answered by idempotent replay or refused as duplicates', labelNames: ['kind'], registers: [registry],
    }),
    snapshotsIgnored: new Counter({
      name: 'orderly_inventory_snapshot_positions_ignored_total', help: 'Snapshot positions ignored because a newer asOf was held', registers: [registry],
    }),
    commitBatchSize: new Histogram({
      name: 'orderly_group_commit_batch_size', help: 'Units per group commit', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'orderly_group_commit_seconds', help: 'Time of one group commit', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers: [registry],
    }),
    // Outbox dispatch (src/app/dispatch): the gauges are refreshed by the dispatcher's loop.
    outboxDepth: new Gauge({ name: 'orderly_outbox_depth', help: 'Pending outbox messages per destination', labelNames: ['destination'], registers: [registry] }),
    outboxOldestAge: new Gauge({
      name: 'orderly_outbox_oldest_pending_age_seconds', help: 'Age of the oldest pending outbox message per destination', labelNames: ['destination'], registers: [registry],
    }),
    outboxDead: new Gauge({ name: 'orderly_outbox_dead_letters', help: 'Dead letters waiting per destination', labelNames: ['destination'], registers: [registry] }),
    outboxSends: new Counter({
      name: 'orderly_outbox_sends_total', help: 'Outbound sends by connector and outcome (ok, transient, business, ambiguous)', labelNames: ['connector', 'outcome'], registers: [registry],
    }),
    outboxRetries: new Counter({ name: 'orderly_outbox_retries_total', help: 'Outbound messages rescheduled for another attempt', labelNames: ['connector'], registers: [registry] }),
    outboxDeadLettered: new Counter({
      name: 'orderly_outbox_dead_lettered_total', help: 'Outbound messages parked as dead letters, by reason', labelNames: ['destination', 'reason'], registers: [registry],
    }),
    exceptionsOpen: new Gauge({
      name: 'orderly_exceptions_open', help: 'Unresolved exceptions by type and severity (read from the store at each scrape)', labelNames: ['type', 'severity'], registers: [registry],
    }),
    connectorBreakerState: new Gauge({
      name: 'orderly_connector_breaker_state', help: 'Circuit breaker per connector: 0 closed, 1 half-open, 2 open', labelNames: ['connector'], registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
