import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawnService } from '../support/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'orderly-cli-'));
const orderly = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/orderly.js', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ORDERLY_DATA_DIR: dir, ...env }, encoding: 'utf8', timeout: 60_000 });

describe('the orderly CLI and start-up configuration (sqlite)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates a ruleset file, naming the offending field', () => {
    const good = orderly(['rules', 'validate', 'examples/ruleset.yaml']);
    expect(good.status).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ name: 'prefer-dcs-no-hazmat-at-stores', split: { maxShipments: 2 } });
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'name: bad\nobjectives:\n  - type: fastest\n');
    const bad = orderly(['rules', 'validate', badFile]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('objectives[0].type');
  });

  it('loads nodes from ORDERLY_NODES_FILE at start, and refuses to start on a bad one', async () => {
    const key = `cli-key-${randomUUID()}`;
    const svc = await spawnService({ ORDERLY_DATA_DIR: dir, ORDERLY_NODES_FILE: 'examples/nodes.yaml', ORDERLY_BOOTSTRAP_API_KEY: key });
    try {
      const res = await fetch(`${svc.url}/v1/nodes`, { headers: { authorization: `Bearer ${key}` } });
      expect(((await res.json()) as { items: { id: string }[] }).items.map((n) => n.id)).toEqual(['dc-east', 'dc-west', 'store-seattle']);
      // An order placed now is routed, so what-if has history to replay.
      const placed = await fetch(`${svc.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ externalId: 'CLI-1', channel: 'web', currency: 'USD', shipTo: { country: 'US', lat: 47.6, lon: -122.3 }, lines: [{ lineId: '1', sku: 'A', quantity: 1, unitPrice: 100 }] }),
      });
      expect(placed.status).toBe(201);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
    const badNodes = join(dir, 'nodes.yaml');
    writeFileSync(badNodes, 'nodes:\n  - id: dc-1\n    type: warehouse\n    location: { lat: 1, lon: 1, country: US }\n');
    const failed = orderly(['serve'], { ORDERLY_NODES_FILE: badNodes, PORT: '0' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr + failed.stdout).toMatch(/node dc-1: type/);
  });

  it('replays a candidate ruleset over stored history with what-if', () => {
    const r = orderly(['rules', 'what-if', '--ruleset', 'examples/ruleset.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/orders replayed: 1/);
    expect(r.stdout).toMatch(/split rate/);
    expect(r.stderr).toMatch(/replayed 1 orders/);
    expect(orderly(['rules', 'what-if']).status).toBe(2);
  });
});
