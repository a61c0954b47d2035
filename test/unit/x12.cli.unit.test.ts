import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerEdiCommands, type EdiCliIo } from '../../src/cli/edi.js';
import { parseX12 } from '../../src/connectors/x12/index.js';
import { fixture, fixturePath } from './x12.support.js';

async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out = { stdout: '', stderr: '', exitCode: 0 };
  const io: EdiCliIo = {
    readFile: (path) => readFileSync(path, 'utf8'),
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    setExitCode: (code) => void (out.exitCode = code),
  };
  const program = new Command('orderly').exitOverride();
  registerEdiCommands(program, io);
  await program.parseAsync(args, { from: 'user' });
  return out;
}

describe('orderly edi parse', () => {
  it('prints the parse result as 2-space JSON and exits 0', async () => {
    const path = fixturePath('x12-940', '940.OK.edi');
    const { stdout, stderr, exitCode } = await run('edi', 'parse', path);
    expect(stdout).toBe(`${JSON.stringify(parseX12(fixture('x12-940', '940.OK.edi')), null, 2)}\n`);
    expect(stdout).toContain('\n  "interchanges": [\n');
    expect(JSON.parse(stdout)).toMatchObject({ interchanges: [{ controlNumber: '000003438', groups: [{ functionalId: 'OW' }] }], errors: [] });
    expect([stderr, exitCode]).toEqual(['', 0]);
  });

  it('exits 0 for a broken file when lenient, 1 when strict', async () => {
    const path = fixturePath('x12-940', 'simplot.txt');
    const lenient = await run('edi', 'parse', path);
    const strict = await run('edi', 'parse', path, '--strict');
    expect(lenient.exitCode).toBe(0);
    expect(strict.exitCode).toBe(1);
    expect(JSON.parse(strict.stdout).errors).toContainEqual({ severity: 'error', message: 'GE02 940001777 does not match GS06 177818711', segment: 30 });
    expect(JSON.parse(lenient.stdout).errors).toContainEqual({ severity: 'warning', message: 'GE02 940001777 does not match GS06 177818711', segment: 30 });
  });

  it('exits 0 in strict mode when there are only warnings', async () => {
    const { exitCode, stdout } = await run('edi', 'parse', '--strict', fixturePath('x12-850', '004010_850.edi'));
    expect(JSON.parse(stdout).errors.every((e: { severity: string }) => e.severity === 'warning')).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('exits 2 with a clear message when the file cannot be read', async () => {
    const missing = await run('edi', 'parse', '/nonexistent/orders.edi');
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^edi parse: cannot read \/nonexistent\/orders\.edi: ENOENT/);
    const directory = await run('edi', 'parse', fixturePath('x12-940', ''));
    expect(directory.exitCode).toBe(2);
    expect(directory.stderr).toMatch(/EISDIR/);
  });

  it('registers under the program given by the caller', () => {
    const program = new Command('orderly');
    registerEdiCommands(program);
    const edi = program.commands.find((c) => c.name() === 'edi');
    expect(edi?.commands.map((c) => c.name())).toEqual(['parse']);
    expect(edi?.commands[0]?.options.map((o) => o.long)).toEqual(['--strict']);
  });
});
