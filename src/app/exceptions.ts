import type { ExceptionAction, ExceptionAudit, ExceptionDoc, ExceptionInput } from '../domain/exception/exception.js';
import { escalate, newException, note, resolve } from '../domain/exception/exception.js';
import type { ExceptionQuery, ExceptionRow, Store } from '../store/port.js';
import type { Clock } from './clock.js';
import type { IdGenerator } from './ids.js';
import { toExceptionRow } from './unitEffects.js';

/** What an action did: `resolved` closes the exception; `result` is written to its audit. */
export interface ActionResult {
  readonly resolved: boolean;
  readonly result: string;
}

/**
 * An action's effect on the world (redrive a dead letter, cancel an order, adopt the target's
 * truth…), by action and optionally by exception type. Registered by the composition root, which
 * knows the services; an action with no handler for an exception is refused, never faked.
 */
export type ActionHandler = (doc: ExceptionDoc, input: { readonly note?: string; readonly actor: ExceptionAudit['actor'] }) => Promise<ActionResult>;

export interface ActionOutcome {
  readonly kind: 'ok' | 'not_found' | 'refused' | 'conflict';
  readonly message?: string;
  readonly exception?: ExceptionDoc;
}

/**
 * The exception workbench's service (issue 6 §3–4): raising (deduplicated on `dedupeKey` while
 * unresolved), quarantining untranslatable messages with their raw text, listing, and actions —
 * idempotent through the API's Idempotency-Key, audited here, and applied with optimistic
 * concurrency so two operators never overwrite each other.
 */
export function createExceptionService(deps: { store: Store; clock: Clock; newId: IdGenerator; handlers?: Map<string, ActionHandler> }) {
  const { store, clock, newId } = deps;
  const handlers = deps.handlers ?? new Map<string, ActionHandler>();

  const raise = async (inputs: readonly Omit<ExceptionInput, 'id'>[]): Promise<{ id: string; created: boolean }[]> => {
    if (inputs.length === 0) return [];
    const now = clock.now();
    return store.raiseExceptions(inputs.map((i) => toExceptionRow(newException({ ...i, id: newId('exception') }, now))));
  };

  const docOf = (row: ExceptionRow): ExceptionDoc => row.doc as ExceptionDoc;

  /** Saves `next` over `row` unless someone changed it meanwhile. */
  const save = async (row: ExceptionRow, next: ExceptionDoc): Promise<boolean> => store.updateException(toExceptionRow(next), row.updatedAt);

  return {
    raise,
    async quarantine(input: { readonly connector: string; readonly reason: string; readonly code?: string; readonly raw: string; readonly source: { readonly system: string; readonly messageId: string } }) {
      const [r] = await raise([
        {
          dedupeKey: `quarantine:${input.source.system}:${input.source.messageId}`,
          type: 'quarantine',
          reasonCode: input.code ?? 'untranslatable',
          source: 'quarantine',
          target: input.connector,
          title: `A message from ${input.connector} could not be applied`,
          detail: input.reason,
          context: { payloads: [{ raw: input.raw.slice(0, 256 * 1024), source: input.source }] },
          suggestedActions: ['resend', 'resolve', 'escalate'],
        },
      ]);
      return { exceptionId: r!.id };
    },
    async get(id: string): Promise<ExceptionDoc | undefined> {
      const row = await store.getException(id);
      return row && docOf(row);
    },
    async list(query: ExceptionQuery): Promise<ExceptionDoc[]> {
      return (await store.listExceptions(query)).map(docOf);
    },
    /** Runs an operator action; the audit records who, when, the note and what it did. */
    async act(id: string, input: { readonly action: ExceptionAction; readonly note?: string; readonly actor: ExceptionAudit['actor'] }): Promise<ActionOutcome> {
      const row = await store.getException(id);
      if (!row) return { kind: 'not_found', message: `No exception ${id}` };
      const doc = docOf(row);
      if (doc.status === 'resolved') return { kind: 'refused', message: `exception ${id} is resolved` };
      const audit = (result?: string): ExceptionAudit => ({ action: input.action, actor: input.actor, at: clock.now(), ...(input.note !== undefined ? { note: input.note } : {}), ...(result ? { result } : {}) });
      let next: ExceptionDoc;
      if (input.action === 'resolve') next = resolve(doc, audit('resolved by an operator'));
      else if (input.action === 'escalate') next = escalate(doc, audit(`escalated to ${doc.severity === 'critical' ? 'critical' : 'the next severity'}`));
      else {
        const handler = handlers.get(`${input.action}:${doc.type}`) ?? handlers.get(input.action);
        if (!handler) return { kind: 'refused', message: `${input.action} does not apply to a ${doc.type} exception; use one of ${doc.suggestedActions.join(', ')}` };
        let r: ActionResult;
        try {
          r = await handler(doc, input);
        } catch (err) {
          // The attempt is audited even when it fails, so the next person sees it was tried.
          await save(row, note(doc, audit(`failed: ${(err as Error).message}`)));
          return { kind: 'refused', message: `${input.action} failed: ${(err as Error).message}` };
        }
        next = r.resolved ? resolve(doc, audit(r.result)) : note(doc, audit(r.result));
      }
      if (!(await save(row, next))) return { kind: 'conflict', message: `exception ${id} changed meanwhile; read it again` };
      return { kind: 'ok', exception: next };
    },
    /** Resolves the unresolved exceptions holding these dedupe keys (the problem went away), with a record. */
    async resolveByKeys(dedupeKeys: readonly string[], why: string): Promise<number> {
      let n = 0;
      for (const key of dedupeKeys) {
        const [row] = await store.listExceptions({ dedupeKeyPrefix: key, limit: 5 }).then((rows) => rows.filter((r) => r.dedupeKey === key && r.status !== 'resolved'));
        if (row && (await save(row, resolve(docOf(row), { action: 'auto_resolved', actor: { kind: 'system', id: 'orderly' }, at: clock.now(), result: why })))) n++;
      }
      return n;
    },
    /** Resolves, with a record, exceptions whose problem a later check no longer finds (reconciliation). */
    async autoResolve(ids: readonly string[], why: string): Promise<number> {
      let n = 0;
      for (const id of ids) {
        const row = await store.getException(id);
        if (!row || row.status === 'resolved') continue;
        if (await save(row, resolve(docOf(row), { action: 'auto_resolved', actor: { kind: 'system', id: 'orderly' }, at: clock.now(), result: why }))) n++;
      }
      return n;
    },
  };
}

export type ExceptionService = ReturnType<typeof createExceptionService>;
