import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { activeOutage } from './faults.js';
import type { SimExchange, Simulator } from './simCore.js';
import { parseSimRequest } from './simCore.js';

export interface SimulatorServer {
  readonly url: string;
  readonly port: number;
  /** Whether the listener is up (it is closed during a `refuse` outage). */
  listening(): boolean;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Requests without this header value get 401. */
  readonly auth?: { readonly header: string; readonly value: string };
  readonly bodyLimitBytes?: number;
}

const STATUS_PATH = /^\/v1\/messages\/([^/?#]+)$/;

/**
 * A simulator as an HTTP server on 127.0.0.1 (a random port) speaking the default wire format:
 * `POST <any path>` with `{ type, idempotencyKey, message }`; `GET /v1/messages/{idempotencyKey}`
 * answers a status query; `GET /v1/snapshot` its own view. Faults become real transport events:
 * a refused connection (the listener closes for a `refuse` outage), a destroyed socket, no answer.
 */
export async function serveSimulator(sim: Simulator, options: ServeOptions = {}): Promise<SimulatorServer> {
  const limit = options.bodyLimitBytes ?? 1024 * 1024;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const server = createServer((req, res) => void handle(req, res).catch(() => req.socket.destroy()));
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.auth && req.headers[options.auth.header.toLowerCase()] !== options.auth.value) return send(res, 401, { code: 'unauthorized', detail: 'missing or wrong credentials' });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/v1/snapshot') return send(res, 200, sim.snapshot());
    const status = STATUS_PATH.exec(path);
    if (req.method === 'GET' && status?.[1]) return answer(req, res, sim.status(decodeURIComponent(status[1])));
    if (req.method !== 'POST') return send(res, 404, { code: 'not_found', detail: `no route ${req.method} ${path}` });
    const text = await readBody(req, limit);
    if (text === undefined) return send(res, 413, { code: 'payload_too_large', detail: `more than ${limit} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, { code: 'invalid_json', detail: 'the body is not JSON' });
    }
    const header = req.headers['idempotency-key'];
    const request = parseSimRequest(body, typeof header === 'string' ? header : undefined);
    if ('status' in request) return send(res, request.status, request.body);
    return answer(req, res, sim.receive(request));
  }

  function answer(req: IncomingMessage, res: ServerResponse, exchange: SimExchange): void {
    const act = () => {
      switch (exchange.transport) {
        case 'refuse': // the listener was up a moment too long: as close to a refusal as an open socket gets
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          return; // no answer: the sender times out; close() destroys the socket
        case 'respond':
          return send(res, exchange.status, exchange.body ?? {}, exchange.headers);
      }
    };
    if (exchange.latencyMs <= 0) return act();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) act();
    }, exchange.latencyMs);
    timers.add(timer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the simulator server has no port');
  const port = address.port;

  // `refuse` outages close the listener for their window, so a connection is really refused.
  let up = true;
  let transition: Promise<void> = Promise.resolve();
  const scheduled = new Set<string>();
  const reconcile = () => {
    transition = transition.then(async () => {
      const want = !closed && activeOutage(sim.faults(), sim.clock.elapsedMs())?.mode !== 'refuse';
      if (want === up || closed) return;
      if (!want) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        up = false;
      } else {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        up = true;
      }
    });
    return transition;
  };
  const watchOutages = () => {
    for (const o of sim.faults().outages) {
      const key = `${o.fromMs}-${o.toMs}-${o.mode}`;
      if (o.mode !== 'refuse' || scheduled.has(key)) continue;
      scheduled.add(key);
      const elapsed = sim.clock.elapsedMs();
      sim.clock.schedule(o.fromMs - elapsed, `${sim.id}: outage begins`, reconcile);
      sim.clock.schedule(o.toMs - elapsed, `${sim.id}: outage ends`, reconcile);
    }
  };
  watchOutages();
  await reconcile();
  const unwatch = sim.watchFaults(() => {
    watchOutages();
    void reconcile();
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    listening: () => up,
    async close() {
      if (closed) return;
      closed = true;
      unwatch();
      for (const t of timers) clearTimeout(t);
      await transition.catch(() => undefined);
      if (!up) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
