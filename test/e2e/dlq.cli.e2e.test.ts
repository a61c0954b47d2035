import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/port.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import { outboxMessage, parkDeadLetters, putOutbox } from '../support/outbox.js';
import { createTestDatabase, postgresTestUrl } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `orderly …` as a real process, with the environment `orderly serve` would get. */
const cli = (env: Record<string, string>) => (args: string[]) =>
  spawnSync(process.execPath, ['bin/orderly.js', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 60_000 });

async function seed(store: Store): Promise<void> {
  await store.migrate();
  await parkDeadLetters(store, [outboxMessage('m1', 'ord_1:dc'), outboxMessage('m2', 'ord_2:dc', { destination: 'pos' }), outboxMessage('m3', 'ord_3:dc')], (m) =>
    m.id === 'm2' ? 'exhausted' : 'ambiguous',
  );
  await putOutbox(store, outboxMessage('m1-cancel', 'ord_1:dc'));
  await store.close();
}

// Each command is a process start (~1–3 s on a busy 2-core machine): generous timeouts, not timed assertions.
describe('orderly dlq (sqlite, ORDERLY_DATA_DIR as for serve)', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderly-dlq-'));
  const orderly = cli({ ORDERLY_DATA_DIR: dir });
  beforeAll(async () => seed(createSqliteStore(join(dir, 'orderly.db'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists dead letters as a table or JSON, filtered, page by page', () => {
    const table = orderly(['dlq', 'list']);
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+destination\s+reason\s+code\s+attempts\s+dead at\s+partition$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([['m1', 'wms', 'ambiguous'], ['m2', 'pos', 'exhausted'], ['m3', 'wms', 'ambiguous']]);
    const json = orderly(['dlq', 'list', '--reason', 'ambiguous', '--destination', 'wms', '--limit', '1', '--json']);
    const page = JSON.parse(json.stdout) as { items: { id: string }[]; nextCursor: string };
    expect(page.items.map((d) => d.id)).toEqual(['m1']);
    const next = orderly(['dlq', 'list', '--reason', 'ambiguous', '--limit', '1', '--cursor', page.nextCursor]);
    expect(next.stdout).toMatch(/^m3\s/m);
    expect(next.stdout).not.toMatch(/more: --cursor/);
  });

  it('refuses bad usage with exit 2 and a message, touching nothing', () => {
    const bad = orderly(['dlq', 'list', '--reason', 'lost']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--reason must be one of exhausted, business, ambiguous, unroutable');
    expect(orderly(['dlq', 'list', '--limit', '0']).status).toBe(2);
    expect(orderly(['dlq', 'list', '--cursor', 'zzz']).status).toBe(2);
    const noNote = orderly(['dlq', 'discard', 'm3']);
    expect(noNote.status).toBe(2);
    expect(noNote.stderr).toContain('--note <text> is required');
  });

  it('shows, redrives (audited with the actor) and discards; exit 1 for what is unknown or not dead', () => {
    const shown = orderly(['dlq', 'show', 'm1']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'm1', status: 'dead', deadReason: 'ambiguous', payload: { id: 'm1' } });
    expect(orderly(['dlq', 'show', 'nope']).status).toBe(1);
    const redriven = orderly(['dlq', 'redrive', 'm1', '--actor', 'alice']);
    expect(redriven.status).toBe(0);
    expect(JSON.parse(redriven.stdout)).toMatchObject({ status: 'pending', attempts: 0, history: [{ action: 'dead_lettered' }, { action: 'redriven', actor: 'alice' }] });
    const twice = orderly(['dlq', 'redrive', 'm1']);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('m1 is pending, not dead');
    const discarded = orderly(['dlq', 'discard', 'm3', '--note', 'entered by hand in the WMS']);
    expect(discarded.status).toBe(0);
    expect(JSON.parse(discarded.stdout).history.at(-1)).toMatchObject({ action: 'discarded', note: 'entered by hand in the WMS', actor: expect.stringMatching(/^cli/) });
    const stats = orderly(['dlq', 'stats']);
    expect(stats.stdout).toMatch(/^pos\s+0\s+-\s+1$/m);
    expect(stats.stdout).toMatch(/^wms\s+2\s+\d+s\s+0$/m);
  });
});

describe.runIf(postgresTestUrl())('orderly dlq (postgres, DATABASE_URL as for serve)', { timeout: 180_000 }, () => {
  let db: { url: string; drop(): Promise<void> };
  let orderly: ReturnType<typeof cli>;
  beforeAll(async () => {
    db = await createTestDatabase(`orderly_dlq_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
    const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
    await seed(createPostgresStore(db.url));
    orderly = cli({ DATABASE_URL: db.url });
  });
  afterAll(async () => db?.drop());

  it('lists and redrives against the PostgreSQL store', () => {
    const list = orderly(['dlq', 'list', '--json']);
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((d) => d.id)).toEqual(['m1', 'm2', 'm3']);
    const redriven = orderly(['dlq', 'redrive', 'm2', '--actor', 'bob']);
    expect(redriven.status).toBe(0);
    expect(JSON.parse(redriven.stdout)).toMatchObject({ id: 'm2', status: 'pending', history: [{ action: 'dead_lettered' }, { action: 'redriven', actor: 'bob' }] });
  });
});
