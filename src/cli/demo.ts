import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { CATALOGUE } from '../connectors/sim/catalogue.js';
import { NETWORK_SITES } from '../connectors/sim/network.js';

/** Customers spread over the US, so routing has real distances to weigh. */
const CITIES = [
  { city: 'Seattle', region: 'WA', lat: 47.61, lon: -122.33, postalCode: '98101' },
  { city: 'Portland', region: 'OR', lat: 45.52, lon: -122.68, postalCode: '97204' },
  { city: 'San Francisco', region: 'CA', lat: 37.77, lon: -122.42, postalCode: '94103' },
  { city: 'Austin', region: 'TX', lat: 30.27, lon: -97.74, postalCode: '78701' },
  { city: 'Chicago', region: 'IL', lat: 41.88, lon: -87.63, postalCode: '60601' },
  { city: 'Brooklyn', region: 'NY', lat: 40.68, lon: -73.94, postalCode: '11201' },
  { city: 'Boston', region: 'MA', lat: 42.36, lon: -71.06, postalCode: '02108' },
  { city: 'Denver', region: 'CO', lat: 39.74, lon: -104.99, postalCode: '80202' },
];
const STORES = NETWORK_SITES.filter((s) => s.role === 'store').map((s) => s.node.id);

interface DemoOptions {
  url: string;
  key?: string;
  orders: string;
  rate: string;
}

/**
 * `orderly demo`: realistic traffic against a running Orderly with its simulated network (what
 * `npm start` runs): web orders shipped from DCs and stores, split orders, store pickups, some
 * cancelled soon after — with a running summary of where every order is.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Drive realistic order traffic through a running Orderly and its simulated network')
    .option('--url <url>', 'the service', process.env.ORDERLY_URL ?? `http://localhost:${process.env.PORT ?? 4000}`)
    .option('--key <key>', 'an API key with orders:write (default: $ORDERLY_API_KEY or $ORDERLY_BOOTSTRAP_API_KEY)')
    .option('--orders <n>', 'how many orders to place', '200')
    .option('--rate <perSecond>', 'orders per second', '5')
    .action(async (opts: DemoOptions) => {
      const key = opts.key ?? process.env.ORDERLY_API_KEY ?? process.env.ORDERLY_BOOTSTRAP_API_KEY;
      const total = Number(opts.orders);
      const rate = Number(opts.rate);
      if (!key) return fail('give an API key: --key, ORDERLY_API_KEY, or the ORDERLY_BOOTSTRAP_API_KEY the service was started with');
      if (!Number.isInteger(total) || total < 1 || total > 1_000_000) return fail('--orders must be a whole number from 1 to 1000000');
      if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) return fail('--rate must be a number of orders per second up to 1000');
      await runDemo(opts.url.replace(/\/+$/, ''), key, total, rate);
    });
}

function fail(message: string): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 2;
}

async function runDemo(url: string, key: string, total: number, rate: number): Promise<void> {
  const call = async (path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const ready = await fetch(`${url}/readyz`).catch(() => undefined);
  if (!ready?.ok) return fail(`no Orderly answers at ${url} (start it with npm start)`);
  if ((await call('/v1/nodes')).status === 401) return fail('the API key is not accepted');

  const ids: string[] = [];
  let refused = 0;
  const startedAt = Date.now();
  for (let i = 0; i < total; i++) {
    const r = await call('/v1/orders', demoOrder(i));
    if (r.status === 201) {
      ids.push(r.body.id as string);
      // One order in twenty is cancelled by its customer shortly after.
      if (i % 20 === 7) setTimeout(() => void call(`/v1/orders/${String(r.body.id)}/cancel`, { reason: 'customer_request' }), 1500);
    } else refused++;
    if (i % 25 === 24 || i === total - 1) process.stderr.write(`placed ${ids.length}/${total}${refused ? `, ${refused} refused` : ''}\n`);
    const due = startedAt + ((i + 1) * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  process.stderr.write('waiting for the simulated nodes to ship and deliver (Ctrl-C to stop)…\n');
  for (let round = 0; round < 12; round++) {
    await new Promise((r) => setTimeout(r, 5000));
    const counts = new Map<string, number>();
    for (const id of ids) {
      const status = String((await call(`/v1/orders/${id}`)).body.status ?? 'unknown');
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    const exceptions = ((await call('/v1/exceptions?status=open&limit=500')).body.items as unknown[] | undefined)?.length ?? 0;
    process.stdout.write(`${new Date().toISOString()}  ${[...counts].sort().map(([s, n]) => `${s}: ${n}`).join('  ')}  | open exceptions: ${exceptions}\n`);
    if ([...counts.keys()].every((s) => ['delivered', 'cancelled', 'closed', 'returned'].includes(s))) break;
  }
}

/** A mix like a real storefront's: mostly single-line ship orders, some split, some store pickups. */
function demoOrder(i: number): Record<string, unknown> {
  const place = CITIES[i % CITIES.length]!;
  const everyday = CATALOGUE.filter((c) => c.profile === 'everywhere' || c.profile === 'dc_only');
  const pick = (n: number) => everyday[(i * 7 + n * 13) % everyday.length]!;
  const lineCount = i % 10 === 3 ? 3 : i % 4 === 1 ? 2 : 1;
  const lines = Array.from({ length: lineCount }, (_, n) => {
    const item = n === 2 ? CATALOGUE.find((c) => c.profile === 'vendor') ?? pick(n) : pick(n);
    return { lineId: String(n + 1), sku: item.sku, quantity: 1 + ((i + n) % 2), unitPrice: item.unitPrice, ...(item.attributes ? { attributes: item.attributes } : {}) };
  });
  const pickup = i % 7 === 5;
  return {
    externalId: `DEMO-${Date.now().toString(36)}-${i}`,
    channel: i % 3 === 0 ? 'app' : 'web',
    currency: 'USD',
    customer: { id: `cus-${i % 50}`, email: `customer${i % 50}@example.com`, tier: i % 25 === 0 ? 'vip' : 'standard' },
    shipTo: { name: `Customer ${i % 50}`, line1: `${100 + i} Main St`, country: 'US', ...place },
    fulfillment: pickup ? { type: 'pickup', storeId: STORES[i % STORES.length] } : { type: 'ship', shipMethod: i % 9 === 0 ? 'expedited' : 'standard' },
    lines,
  };
}
