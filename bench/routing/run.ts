/**
 * bench/routing: `npm run bench -- routing [--runs N]` — decision latency in-process
 * (decide.bench.ts: 5-line orders over 100 and 1,000 nodes). Intake with routing and reservation
 * on versus off is measured over HTTP by `npm run bench -- intake` (its `routing` column), in one
 * run so the ratio holds.
 */
await import('./decide.bench.js');
