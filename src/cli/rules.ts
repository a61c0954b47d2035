import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../app/clock.js';
import { loadConfig } from '../app/config.js';
import { openStore } from '../app/runtime.js';
import { whatIf } from '../app/whatIf.js';
import type { RoutingNode, Ruleset } from '../routing/index.js';
import { parseRuleset } from '../routing/index.js';

/** `orderly rules …`: validate a ruleset file, or replay one over stored history before activating it. */
export function registerRules(program: Command): void {
  const rules = program.command('rules').description('Routing rulesets');
  rules
    .command('validate <file>')
    .description('Validate a ruleset document (YAML or JSON); prints the errors with the field paths')
    .action((file: string) => {
      const result = parseRuleset(readDoc(file));
      if (result.ok) process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
      else {
        process.stderr.write(`${result.error.message}\n${(result.error.errors ?? []).map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n`);
        process.exitCode = 1;
      }
    });
  rules
    .command('what-if')
    .description('Replay a candidate ruleset over stored orders and report split rate, distance, cost and backorders against what was decided')
    .option('--ruleset <file|version>', 'a ruleset file, or the version of a stored ruleset')
    .option('--from <time>', 'orders placed at or after this RFC 3339 time')
    .option('--to <time>', 'orders placed before this RFC 3339 time')
    .option('--limit <n>', 'at most this many orders')
    .action(async (opts: { ruleset?: string; from?: string; to?: string; limit?: string }) => {
      if (!opts.ruleset) {
        process.stderr.write('error: --ruleset <file|version> is required\n');
        process.exitCode = 2;
        return;
      }
      const store = await openStore(loadConfig());
      try {
        await store.migrate();
        let candidate: { ruleset: Ruleset; version: number };
        if (/^\d+$/.test(opts.ruleset)) {
          const record = (await store.listRulesets()).find((r) => r.version === Number(opts.ruleset));
          if (!record) throw new Error(`no stored ruleset version ${opts.ruleset}`);
          candidate = { ruleset: record.doc as Ruleset, version: record.version };
        } else {
          const parsed = parseRuleset(readDoc(opts.ruleset));
          if (!parsed.ok) throw new Error(`${parsed.error.message}: ${(parsed.error.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
          candidate = { ruleset: parsed.value, version: -1 };
        }
        const nodes = (await store.listNodes()).map((n) => n.doc as RoutingNode);
        const started = Date.now();
        const report = await whatIf(store, nodes, candidate, {
          ...(opts.from ? { from: opts.from } : {}),
          ...(opts.to ? { to: opts.to } : {}),
          ...(opts.limit ? { limit: Number(opts.limit) } : {}),
          onProgress: (done, scanned) => {
            if (process.stderr.isTTY) process.stderr.write(`\r  replayed ${done} orders (${scanned} scanned, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
            else process.stderr.write(`replayed ${done} orders (${scanned} scanned)\n`);
          },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
        const rows: [string, string, string, string][] = [
          ['', 'recorded', 'candidate', 'change'],
          ['split rate', pct(report.baseline.splitRate), pct(report.candidate.splitRate), pct(report.change.splitRate)],
          ['avg distance km', report.baseline.avgDistanceKm.toFixed(1), report.candidate.avgDistanceKm.toFixed(1), report.change.avgDistanceKm.toFixed(1)],
          ['avg cost', report.baseline.avgCost.toFixed(0), report.candidate.avgCost.toFixed(0), report.change.avgCost.toFixed(0)],
          ['backorder rate', pct(report.baseline.backorderRate), pct(report.candidate.backorderRate), pct(report.change.backorderRate)],
        ];
        process.stdout.write(`orders replayed: ${report.orders} (at ${systemClock.now()})\n${rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(16) : c.padStart(10))).join(' ')).join('\n')}\n`);
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}

function readDoc(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
}
