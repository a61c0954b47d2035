import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseX12 } from '../connectors/x12/index.js';

/** The side effects of the edi commands, injectable so tests need no files or process exit. */
export interface EdiCliIo {
  readFile(path: string): string;
  stdout(text: string): void;
  stderr(text: string): void;
  setExitCode(code: number): void;
}

const processIo: EdiCliIo = {
  readFile: (path) => readFileSync(path, 'utf8'),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  // exitCode rather than exit(): a large JSON on a pipe must finish flushing first.
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * `orderly edi parse <file> [--strict]`: prints the parse result as JSON (2-space indent).
 * Exit 0 when lenient, 1 when strict and any error-severity entry exists, 2 when the file
 * cannot be read.
 */
export function registerEdiCommands(program: Command, io: EdiCliIo = processIo): void {
  const edi = program.command('edi').description('X12 EDI tools');
  edi
    .command('parse')
    .description('parse an X12 file (ISA…IEA, several interchanges allowed) and print JSON')
    .argument('<file>', 'X12 file to parse')
    .option('--strict', 'report envelope defects (control numbers, counts, missing trailers) as errors and exit 1 on any error')
    .action((file: string, opts: { strict?: boolean }) => {
      let text: string;
      try {
        text = io.readFile(file);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        io.stderr(`edi parse: cannot read ${file}: ${reason}\n`);
        io.setExitCode(2);
        return;
      }
      const result = parseX12(text, { strict: opts.strict === true });
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      if (opts.strict && result.errors.some((e) => e.severity === 'error')) io.setExitCode(1);
    });
}
