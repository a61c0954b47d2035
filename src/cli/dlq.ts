import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../app/clock.js';
import { loadConfig } from '../app/config.js';
import type { DeadLetterService } from '../app/dispatch/deadLetters.js';
import { InvalidCursorError, createDeadLetterService } from '../app/dispatch/deadLetters.js';
import { openStore } from '../app/runtime.js';
import type { DeadLetterActionResult, DeadLetterReason, Store } from '../store/port.js';
import { DEAD_LETTER_REASONS } from '../store/port.js';

/** The side effects of the dlq commands, injectable so tests need no process exit. */
export interface DlqCliIo {
  openStore(): Promise<Store>;
  stdout(text: string): void;
  stderr(text: string): void;
  setExitCode(code: number): void;
}

const processIo: DlqCliIo = {
  // The same store `orderly serve` opens: DATABASE_URL, else SQLite under ORDERLY_DATA_DIR.
  openStore: () => openStore(loadConfig()),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** Who did it, for the audit: `cli:<os user>` unless --actor says otherwise. */
function defaultActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * `orderly dlq list|show|redrive|discard|stats`: the dead-letter store from the command line.
 * Exit 0 on success, 1 when the message is not found or not dead, 2 on a usage error.
 */
export function registerDlq(program: Command, io: DlqCliIo = processIo): void {
  const usage = (message: string) => {
    io.stderr(`error: ${message}\n`);
    io.setExitCode(2);
  };
  /** Opens the store, migrates it, runs `fn`, closes it; any failure is reported, exit 1. */
  const withService = async (fn: (dlq: DeadLetterService) => Promise<void>) => {
    let store: Store | undefined;
    try {
      store = await io.openStore();
      await store.migrate();
      await fn(createDeadLetterService({ store, clock: systemClock }));
    } catch (err) {
      io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      io.setExitCode(1);
    } finally {
      await store?.close();
    }
  };
  const report = (id: string, verb: string, result: DeadLetterActionResult) => {
    if (result.status === 'ok') return io.stdout(`${JSON.stringify(result.message, null, 2)}\n`);
    io.stderr(result.status === 'not_found' ? `error: no dead letter ${id}\n` : `error: ${id} is ${result.current}, not dead: only a dead letter can be ${verb}\n`);
    io.setExitCode(1);
  };

  const dlq = program.command('dlq').description('Dead letters: outbox messages the dispatcher parked (list, inspect, redrive, discard)');
  dlq
    .command('list')
    .description('List dead letters, oldest first')
    .option('--destination <connector>', 'only this destination')
    .option('--reason <reason>', `only this reason: ${DEAD_LETTER_REASONS.join(', ')}`)
    .option('--limit <n>', '1–500 (default 50)', '50')
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { destination?: string; reason?: string; limit: string; cursor?: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) return usage(`--limit must be an integer 1–500, not ${opts.limit}`);
      if (opts.reason !== undefined && !DEAD_LETTER_REASONS.includes(opts.reason as DeadLetterReason)) {
        return usage(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}, not ${opts.reason}`);
      }
      await withService(async (service) => {
        let page;
        try {
          page = await service.list({
            limit,
            ...(opts.destination ? { destination: opts.destination } : {}),
            ...(opts.reason ? { reason: opts.reason as DeadLetterReason } : {}),
            ...(opts.cursor ? { cursor: opts.cursor } : {}),
          });
        } catch (err) {
          if (err instanceof InvalidCursorError) return usage(`--cursor: ${err.message}`);
          throw err;
        }
        if (opts.json) return io.stdout(`${JSON.stringify(page, null, 2)}\n`);
        const rows = page.items.map((d) => [d.id, d.destination, d.reason, d.error.code, String(d.attempts), d.deadAt, d.partitionKey]);
        io.stdout(`${table(['id', 'destination', 'reason', 'code', 'attempts', 'dead at', 'partition'], rows)}`);
        io.stdout(page.items.length === 0 ? 'no dead letters\n' : page.nextCursor ? `more: --cursor ${page.nextCursor}\n` : '');
      });
    });
  dlq
    .command('show <id>')
    .description('Print a dead letter as JSON: payload, last error, attempts and its history')
    .action(async (id: string) =>
      withService(async (service) => {
        const found = await service.get(id);
        if (found) return io.stdout(`${JSON.stringify(found, null, 2)}\n`);
        io.stderr(`error: no dead letter ${id}\n`);
        io.setExitCode(1);
      }),
    );
  dlq
    .command('redrive <id>')
    .description('Put a dead letter back in the outbox now, attempts reset (audited)')
    .option('--actor <name>', 'who is doing it, for the audit (default: cli:<user>)')
    .action(async (id: string, opts: { actor?: string }) => withService(async (service) => report(id, 'redriven', await service.redrive(id, opts.actor ?? defaultActor()))));
  dlq
    .command('discard <id>')
    .description('Give up on a dead letter for good, saying why (audited); it unblocks the messages behind it')
    .option('--note <text>', 'why (required)')
    .option('--actor <name>', 'who is doing it, for the audit (default: cli:<user>)')
    .action(async (id: string, opts: { note?: string; actor?: string }) => {
      const note = opts.note?.trim();
      if (!note) return usage('--note <text> is required: say why the message is discarded');
      await withService(async (service) => report(id, 'discarded', await service.discard(id, opts.actor ?? defaultActor(), note)));
    });
  dlq
    .command('stats')
    .description('Pending depth, oldest pending age and dead letters per destination')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) =>
      withService(async (service) => {
        const stats = await service.stats();
        if (opts.json) return io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
        const rows = stats.items.map((s) => [s.destination, String(s.pending), s.oldestPendingAgeSeconds === null ? '-' : `${s.oldestPendingAgeSeconds}s`, String(s.dead)]);
        io.stdout(table(['destination', 'pending', 'oldest', 'dead'], rows));
      }),
    );
}

/** A plain left-aligned text table. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  return [header, ...rows].map(line).join('');
}
