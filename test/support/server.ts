import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/app/logger.js';
import type { Orderly } from '../../src/app/runtime.js';
import { startOrderly } from '../../src/app/runtime.js';
import type { StartOptions } from '../../src/app/runtime.js';
import type { Clock } from '../../src/app/clock.js';
import { loadConfig } from '../../src/app/config.js';
import { createTestDatabase, postgresTestUrl } from './postgres.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestServer {
  readonly url: string;
  readonly orderly: Orderly;
  /** Every log line the server wrote, for asserting that no PII was logged. */
  readonly logs: string[];
  /** fetch against the server with the admin key (override headers per call). */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string }): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
  close(): Promise<void>;
}

/**
 * Starts Orderly in-process on a random port over real HTTP, on a fresh SQLite file or PostgreSQL
 * database. `options.clock` is Orderly's clock (the simulated network's manual clock, in tests that
 * let simulated time pass); the system clock by default.
 */
export async function startTestServer(store: 'sqlite' | 'postgres', env: Record<string, string> = {}, options: StartOptions & { readonly clock?: Clock } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orderly-e2e-'));
  const db = store === 'postgres' ? await createTestDatabase(`orderly_e2e_${randomUUID().replaceAll('-', '').slice(0, 16)}`) : undefined;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ORDERLY_DATA_DIR: dir,
    ORDERLY_BOOTSTRAP_API_KEY: ADMIN_KEY,
    // Suites start with an empty network of their own; those about the simulators turn them on.
    ORDERLY_SIMULATORS: 'off',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const { clock, ...start } = options;
  const orderly = await startOrderly(config, createLogger({ level: 'info', destination: sink }), clock, start);
  const url = orderly.url;
  return {
    url,
    orderly,
    logs,
    async api(path, init = {}) {
      const method = init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET');
      const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}`, ...(init.body !== undefined || init.rawBody !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
      if (method !== 'GET' && headers['idempotency-key'] === undefined) headers['idempotency-key'] = randomUUID();
      for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
      const res = await fetch(`${url}${path}`, { method, headers, body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body };
    },
    async close() {
      await orderly.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stores the e2e suites run on: SQLite always, PostgreSQL when configured (always in CI). */
export const e2eStores = (): ('sqlite' | 'postgres')[] => (postgresTestUrl() ? ['sqlite', 'postgres'] : ['sqlite']);
