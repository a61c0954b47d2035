/**
 * Load client for bench/intake, run as its own process: POST /v1/orders with 2-line orders and
 * unique Idempotency-Keys at a fixed concurrency for a fixed time; prints one JSON line of results.
 * Usage: tsx bench/intake/client.ts <url> <apiKey> <concurrency> <seconds> <warmupSeconds> [runTag]
 */
import http from 'node:http';
import { percentile, round } from '../lib/stats.js';

const [url = '', key = '', concStr = '32', secStr = '10', warmStr = '2', tag = String(process.pid)] = process.argv.slice(2);
const concurrency = Number(concStr);
const seconds = Number(secStr);
const warmup = Number(warmStr);
const target = new URL('/v1/orders', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

let seq = 0;
function body(): string {
  const n = seq++;
  return JSON.stringify({
    externalId: `B-${tag}-${n}`,
    channel: 'web',
    currency: 'USD',
    placedAt: '2026-11-25T10:00:00Z',
    customer: { id: `cus-${n % 1000}`, email: 'bench@example.com', tier: 'standard' },
    shipTo: { name: 'Bench', line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', lat: 47.61, lon: -122.33 },
    fulfillment: { type: 'ship', shipMethod: 'standard' },
    lines: [
      { lineId: '1', sku: `SKU-${n % 50}`, quantity: 2, unitPrice: 1999 },
      { lineId: '2', sku: `SKU-${(n + 7) % 50}`, quantity: 1, unitPrice: 4999 },
    ],
    payment: { authorizationId: `auth-${n}`, amount: 8997 },
  });
}

function post(): Promise<{ status: number; ms: number }> {
  const payload = body();
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'idempotency-key': `bench-${tag}-${seq}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(payload);
  });
}

const latencies: number[] = [];
const statuses = new Map<number, number>();
let measuring = false;
let done = 0;
const start = performance.now();
const warmEnd = start + warmup * 1000;
const end = warmEnd + seconds * 1000;

async function worker(): Promise<void> {
  while (performance.now() < end) {
    const r = await post();
    const now = performance.now();
    if (!measuring && now >= warmEnd) measuring = true;
    if (measuring && now <= end) {
      latencies.push(r.ms);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      done++;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
const ok = statuses.get(201) ?? 0;
process.stdout.write(
  `${JSON.stringify({
    concurrency,
    seconds,
    requests: done,
    ok,
    ordersPerSecond: round(ok / seconds),
    p50ms: round(percentile(latencies, 50), 2),
    p99ms: round(percentile(latencies, 99), 2),
    statuses: Object.fromEntries(statuses),
  })}\n`,
);
agent.destroy();
