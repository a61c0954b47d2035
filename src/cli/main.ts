import { Command } from 'commander';
import { VERSION } from '../app/runtime.js';
import { registerDlq } from './dlq.js';
import { registerDemo } from './demo.js';
import { registerEdiCommands } from './edi.js';
import { registerKeys } from './keys.js';
import { registerReconcile } from './reconcile.js';
import { registerRules } from './rules.js';
import { registerServe } from './serve.js';

/** `orderly <command>`: every entry point of the project. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('orderly').version(VERSION).description('Orderly — order orchestration engine');
  registerServe(program);
  registerKeys(program);
  registerEdiCommands(program);
  registerRules(program);
  registerDemo(program);
  registerDlq(program);
  registerReconcile(program);
  await program.parseAsync([...argv]);
}
