// Shared helpers for the x12 tests. The real fixtures live beside the repo (../shared), never in it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { X12Document, X12ParseResult, X12Transaction } from '../../src/connectors/x12/index.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/real');

export interface FixtureFile {
  readonly folder: string;
  readonly name: string;
  /** The transaction set the folder holds: `x12-940` → `940`. */
  readonly type: string;
}

export const fixturePath = (folder: string, name: string): string => path.join(FIXTURES, folder, name);

export const fixture = (folder: string, name: string): string => readFileSync(fixturePath(folder, name), 'utf8');

export function fixtureFiles(): FixtureFile[] {
  return readdirSync(FIXTURES)
    .filter((d) => d.startsWith('x12-'))
    .sort()
    .flatMap((folder) =>
      readdirSync(path.join(FIXTURES, folder))
        .filter((name) => name !== 'SOURCES.md')
        .sort()
        .map((name) => ({ folder, name, type: folder.slice(4) })),
    );
}

export const transactions = (r: X12ParseResult): X12Transaction[] =>
  r.interchanges.flatMap((i) => i.groups.flatMap((g) => g.transactions));

/** The documents of one kind, typed by their discriminant. */
export function documents<K extends X12Document['kind']>(r: X12ParseResult, kind: K): Extract<X12Document, { kind: K }>[] {
  return transactions(r)
    .map((t) => t.document)
    .filter((d): d is Extract<X12Document, { kind: K }> => d?.kind === kind);
}

export const errorMessages = (r: X12ParseResult): string[] =>
  r.errors.filter((e) => e.severity === 'error').map((e) => e.message);
