import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
