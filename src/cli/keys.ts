import type { Command } from 'commander';
import { createApiKey } from '../app/apiKeys.js';
import { systemClock } from '../app/clock.js';
import { loadConfig } from '../app/config.js';
import { newId } from '../app/ids.js';
import { openStore } from '../app/runtime.js';

const SCOPES = ['orders:read', 'orders:write', 'inventory:write', 'fulfillment:write', 'ops:exceptions', 'admin'];

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage API keys (service identities)');
  keys
    .command('create')
    .description('Create a service identity and print its API key once')
    .requiredOption('--name <name>', 'who the key is for, e.g. web-storefront')
    .requiredOption('--scopes <scopes>', `comma-separated: ${SCOPES.join(', ')}`)
    .action(async (opts: { name: string; scopes: string }) => {
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = scopes.filter((s) => !SCOPES.includes(s));
      if (scopes.length === 0 || unknown.length > 0) {
        process.stderr.write(`error: unknown scope(s) ${unknown.join(', ') || '(none given)'}; use ${SCOPES.join(', ')}\n`);
        process.exitCode = 2;
        return;
      }
      const store = await openStore(loadConfig());
      try {
        await store.migrate();
        const { identity, key } = await createApiKey({ store, clock: systemClock, newId }, { name: opts.name, scopes });
        process.stdout.write(`${JSON.stringify({ id: identity.id, name: identity.name, scopes: identity.scopes, key }, null, 2)}\n`);
      } finally {
        await store.close();
      }
    });
}
