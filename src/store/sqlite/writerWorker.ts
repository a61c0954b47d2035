import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { createCommitter } from './commit.js';
import type { UnitOfWork } from '../port.js';

/** The SQLite writer thread: owns the write connection and applies group commits in order. */
const { path, synchronous } = workerData as { path: string; synchronous: 'FULL' | 'NORMAL' };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('busy_timeout = 5000');
let commit: ReturnType<typeof createCommitter> | undefined;

parentPort!.on('message', (msg: { id: number; units?: UnitOfWork[]; close?: true }) => {
  if (msg.close) {
    db.close();
    parentPort!.postMessage({ id: msg.id, closed: true });
    return;
  }
  try {
    commit ??= createCommitter(db);
    parentPort!.postMessage({ id: msg.id, outcomes: commit(msg.units ?? [], true) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
});
