#!/usr/bin/env node
// `npm run bench -- <name> [options]`: runs bench/<name>/run.ts (intake, routing, …) through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(new URL('../bench', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`../bench/${d.name}/run.ts`, import.meta.url)))
  .map((d) => d.name);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}/run.ts`, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
