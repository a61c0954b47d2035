import type { Command } from 'commander';
import { loadConfig } from '../app/config.js';
import { createLogger } from '../app/logger.js';
import { startOrderly } from '../app/runtime.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the Orderly HTTP service (SQLite under ORDERLY_DATA_DIR, or PostgreSQL when DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 4000)')
    .action(async (opts: { port?: string }) => {
      const log = createLogger();
      let orderly: Awaited<ReturnType<typeof startOrderly>>;
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(opts.port ? { ...process.env, PORT: opts.port } : process.env);
        orderly = await startOrderly(config, log);
      } catch (err) {
        // A configuration or start-up problem: say what it is, without a stack trace, and exit 1.
        log.fatal({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'Orderly could not start');
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      log.info({ url: orderly.url, store: orderly.store.dialect, dataDir: config.databaseUrl ? undefined : config.dataDir }, `Orderly listening on ${orderly.url}`);
      if (orderly.generatedKey) {
        // Printed once, to the terminal only: it is stored hashed and cannot be shown again.
        process.stdout.write(
          `\n  No ORDERLY_BOOTSTRAP_API_KEY was set, so an admin API key was generated.\n  Save it now; it will not be shown again:\n\n    ${orderly.generatedKey}\n\n`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down: finishing in-flight requests');
        orderly.close().then(
          () => {
            log.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
