#!/usr/bin/env node
// The `orderly` command. Runs the TypeScript sources through tsx, so a checkout works without a
// build step (`npx orderly …`, `npm start`); tsx transpiles once at load, then it is plain Node.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
