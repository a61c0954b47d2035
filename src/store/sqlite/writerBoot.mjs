// Entry of the SQLite writer thread. Worker threads do not inherit the main thread's tsx loader,
// so register it here before loading the TypeScript worker (compiled builds load the .js).
import { existsSync } from 'node:fs';

const compiled = new URL('./writerWorker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./writerWorker.ts', import.meta.url).href);
}
