/**
 * `orderly_commit(units jsonb) RETURNS jsonb`: the whole group commit in one round trip.
 *
 * The TS side sends the batch as one jsonb array (`encodeBatch` in postgresStore.ts) and gets back
 * a jsonb array of outcomes in unit order. The function
 *
 * 1. takes `pg_advisory_xact_lock(COMMIT_LOCK_KEY)` first: writers are serialised, so event
 *    positions and outbox seqs are drawn from their sequences in commit order, and since the lock
 *    is released only after the commit is visible, a `readAll` consumer that has read position N
 *    never later finds a committed event below N. Anything else that ever writes events or outbox
 *    rows must go through this function (or take the same lock). The lock also makes the checks
 *    below race-free between processes;
 * 2. applies each unit inside its own BEGIN … EXCEPTION block (a subtransaction, i.e. a
 *    savepoint), with the same checks in the same order and the same outcomes as the SQLite
 *    adapter: idempotency key exists → duplicate external ref → stream version ≠ expected; then
 *    the events (versions expected+1…); since V2 the reservations (each a conditional UPDATE:
 *    the first one short of stock refuses the unit as insufficient_stock), releases, routing
 *    decisions, capacity counts and the backorder index; then the external ref, the idempotency
 *    record, outbox rows and the order row. Each check *is* the write (INSERT … ON CONFLICT DO
 *    NOTHING, a compare-and-set UPDATE of the stream version, a conditional UPDATE of reserved),
 *    so an accepted unit costs six statements plus its inventory parts; a refused unit raises the
 *    private SQLSTATE 'OR001' to roll its savepoint back, leaving nothing;
 * 3. catches unique_violation as a safety net for writers that did not take the lock and maps it
 *    by constraint name to the same outcomes. Any other error — e.g. a duplicate event id or
 *    outbox id, which the SQLite adapter also throws on — fails the whole batch, as it does there.
 *
 * Inventory positions are the one table also written outside this function (snapshots and
 * adjustments, see inventoryQueries.ts), by row-level statements that never read-modify-write
 * `reserved`. Both sides lock inventory rows in (node_id, sku) order under the "C" collation — V2
 * locks every position the batch reserves or releases up front, in that order — so a snapshot and
 * a commit wait for each other but cannot deadlock.
 *
 * Every accepted unit writes, so it takes a subtransaction id; past 64 in one transaction the
 * backend's subtransaction cache overflows and concurrent snapshots get slower (pg_subtrans
 * lookups). Keep group-commit batches at or below 64 units.
 *
 * Shipped migrations must not change: a new version of the function is a new constant used by a
 * new migration (CREATE OR REPLACE keeps the OID, so prepared statements stay valid).
 */

/** 'orderly' + 0x01, as a bigint: held by every commit transaction. */
export const COMMIT_LOCK_KEY = '8030591472429201665';

export const COMMIT_FUNCTION_V1 = `
CREATE OR REPLACE FUNCTION orderly_commit(units jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  u jsonb;
  a jsonb;
  idem jsonb;
  xref jsonb;
  o jsonb;
  outcome jsonb;
  outcomes jsonb[] := '{}';
  expected integer;
  actual integer;
  last_pos bigint;
  cname text;
BEGIN
  PERFORM pg_advisory_xact_lock(${COMMIT_LOCK_KEY});
  FOR u IN SELECT j.value FROM jsonb_array_elements(units) WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
    a := u->'append';
    idem := u->'idempotency';
    xref := u->'externalRef';
    o := u->'orderRow';
    outcome := NULL;
    last_pos := NULL;
    BEGIN
      IF idem IS NOT NULL THEN
        INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at)
        VALUES (idem->>'scope', idem->>'key', idem->>'fingerprint', (idem->>'status')::integer,
                COALESCE(idem->'body', 'null'::jsonb), idem->>'createdAt')
        ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
          outcome := '{"ok": false, "reason": "idempotency_key_exists"}'::jsonb;
          RAISE SQLSTATE 'OR001';
        END IF;
      END IF;

      IF xref IS NOT NULL THEN
        INSERT INTO external_refs (channel, external_id, order_id)
        VALUES (xref->>'channel', xref->>'externalId', xref->>'orderId')
        ON CONFLICT (channel, external_id) DO NOTHING;
        IF NOT FOUND THEN
          outcome := jsonb_build_object('ok', false, 'reason', 'duplicate_external', 'orderId',
            (SELECT r.order_id FROM external_refs r
              WHERE r.channel = xref->>'channel' AND r.external_id = xref->>'externalId'));
          RAISE SQLSTATE 'OR001';
        END IF;
      END IF;

      IF a IS NOT NULL THEN
        expected := (a->>'expectedVersion')::integer;
        IF expected = 0 THEN
          INSERT INTO streams (stream_id, stream_type, version)
          VALUES (a->>'streamId', a->>'streamType', jsonb_array_length(a->'events'))
          ON CONFLICT (stream_id) DO NOTHING;
        ELSE
          UPDATE streams SET version = expected + jsonb_array_length(a->'events')
           WHERE stream_id = a->>'streamId' AND version = expected;
        END IF;
        IF NOT FOUND THEN
          SELECT s.version INTO actual FROM streams s WHERE s.stream_id = a->>'streamId';
          outcome := jsonb_build_object('ok', false, 'reason', 'version_conflict', 'actualVersion', COALESCE(actual, 0));
          RAISE SQLSTATE 'OR001';
        END IF;

        WITH ins AS (
          INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version,
                              occurred_at, recorded_at, data, metadata)
          SELECT e.value->>'eventId', a->>'streamId', a->>'streamType', expected + e.ordinality::integer,
                 e.value->>'type', (e.value->>'schemaVersion')::integer, e.value->>'occurredAt',
                 a->>'recordedAt', COALESCE(e.value->'data', 'null'::jsonb), COALESCE(e.value->'metadata', 'null'::jsonb)
            FROM jsonb_array_elements(a->'events') WITH ORDINALITY AS e
           ORDER BY e.ordinality
          RETURNING position
        )
        SELECT max(ins.position) INTO last_pos FROM ins;
      END IF;

      IF u ? 'outbox' THEN
        INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at)
        SELECT m.value->>'id', m.value->>'destination', m.value->>'partitionKey', m.value->>'type',
               COALESCE(m.value->'payload', 'null'::jsonb), m.value->>'idempotencyKey',
               (m.value->>'createdAt')::timestamptz, m.value->>'createdAt'
          FROM jsonb_array_elements(u->'outbox') WITH ORDINALITY AS m
         ORDER BY m.ordinality;
      END IF;

      IF o IS NOT NULL THEN
        INSERT INTO orders (id, channel, external_id, status, version, created_at, updated_at, view)
        VALUES (o->>'id', o->>'channel', o->>'externalId', o->>'status', (o->>'version')::integer,
                o->>'createdAt', o->>'updatedAt', COALESCE(o->'view', 'null'::jsonb))
        ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
          updated_at = EXCLUDED.updated_at, view = EXCLUDED.view;
      END IF;

      outcome := CASE WHEN last_pos IS NULL THEN '{"ok": true}'::jsonb
                      ELSE jsonb_build_object('ok', true, 'lastPosition', last_pos) END;
    EXCEPTION
      WHEN SQLSTATE 'OR001' THEN
        NULL; -- a refused unit: outcome is set, its subtransaction rolled back
      WHEN unique_violation THEN
        -- Safety net: a writer that did not take the commit lock won a race.
        GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
        IF cname = 'idempotency_pkey' THEN
          outcome := '{"ok": false, "reason": "idempotency_key_exists"}'::jsonb;
        ELSIF cname = 'external_refs_pkey' THEN
          outcome := jsonb_build_object('ok', false, 'reason', 'duplicate_external', 'orderId',
            (SELECT r.order_id FROM external_refs r
              WHERE r.channel = xref->>'channel' AND r.external_id = xref->>'externalId'));
        ELSIF cname IN ('streams_pkey', 'events_stream_version_key') THEN
          SELECT s.version INTO actual FROM streams s WHERE s.stream_id = a->>'streamId';
          outcome := jsonb_build_object('ok', false, 'reason', 'version_conflict', 'actualVersion', COALESCE(actual, 0));
        ELSE
          RAISE;
        END IF;
    END;
    outcomes := array_append(outcomes, outcome);
  END LOOP;
  RETURN to_jsonb(outcomes);
END
$fn$;
`;

/**
 * V1 plus the unit's inventory and routing parts (reserve, release, decisions, capacity,
 * backorders), applied after the events and before the outbox and order row, as in the SQLite
 * adapter. Installed by migration 3.
 */
export const COMMIT_FUNCTION_V2 = `
CREATE OR REPLACE FUNCTION orderly_commit(units jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  u jsonb;
  a jsonb;
  idem jsonb;
  xref jsonb;
  o jsonb;
  b jsonb;
  inv jsonb;
  k record;
  outcome jsonb;
  outcomes jsonb[] := '{}';
  expected integer;
  actual integer;
  last_pos bigint;
  cname text;
BEGIN
  PERFORM pg_advisory_xact_lock(${COMMIT_LOCK_KEY});
  -- Lock every position the batch reserves or releases, in (node_id, sku) order, before touching
  -- any: snapshots lock in the same order, so the two cannot deadlock.
  FOR k IN
    SELECT DISTINCT op.value->>'nodeId' COLLATE "C" AS node_id, op.value->>'sku' COLLATE "C" AS sku
      FROM jsonb_array_elements(units) AS un(value),
           LATERAL jsonb_array_elements(COALESCE(un.value->'reserve', '[]'::jsonb) || COALESCE(un.value->'release', '[]'::jsonb)) AS op(value)
     ORDER BY 1, 2
  LOOP
    PERFORM 1 FROM inventory i WHERE i.node_id = k.node_id AND i.sku = k.sku FOR NO KEY UPDATE;
  END LOOP;

  FOR u IN SELECT j.value FROM jsonb_array_elements(units) WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
    a := u->'append';
    idem := u->'idempotency';
    xref := u->'externalRef';
    o := u->'orderRow';
    b := u->'backorders';
    outcome := NULL;
    last_pos := NULL;
    BEGIN
      IF idem IS NOT NULL THEN
        INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at)
        VALUES (idem->>'scope', idem->>'key', idem->>'fingerprint', (idem->>'status')::integer,
                COALESCE(idem->'body', 'null'::jsonb), idem->>'createdAt')
        ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
          outcome := '{"ok": false, "reason": "idempotency_key_exists"}'::jsonb;
          RAISE SQLSTATE 'OR001';
        END IF;
      END IF;

      IF xref IS NOT NULL THEN
        INSERT INTO external_refs (channel, external_id, order_id)
        VALUES (xref->>'channel', xref->>'externalId', xref->>'orderId')
        ON CONFLICT (channel, external_id) DO NOTHING;
        IF NOT FOUND THEN
          outcome := jsonb_build_object('ok', false, 'reason', 'duplicate_external', 'orderId',
            (SELECT r.order_id FROM external_refs r
              WHERE r.channel = xref->>'channel' AND r.external_id = xref->>'externalId'));
          RAISE SQLSTATE 'OR001';
        END IF;
      END IF;

      IF a IS NOT NULL THEN
        expected := (a->>'expectedVersion')::integer;
        IF expected = 0 THEN
          INSERT INTO streams (stream_id, stream_type, version)
          VALUES (a->>'streamId', a->>'streamType', jsonb_array_length(a->'events'))
          ON CONFLICT (stream_id) DO NOTHING;
        ELSE
          UPDATE streams SET version = expected + jsonb_array_length(a->'events')
           WHERE stream_id = a->>'streamId' AND version = expected;
        END IF;
        IF NOT FOUND THEN
          SELECT s.version INTO actual FROM streams s WHERE s.stream_id = a->>'streamId';
          outcome := jsonb_build_object('ok', false, 'reason', 'version_conflict', 'actualVersion', COALESCE(actual, 0));
          RAISE SQLSTATE 'OR001';
        END IF;

        WITH ins AS (
          INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version,
                              occurred_at, recorded_at, data, metadata)
          SELECT e.value->>'eventId', a->>'streamId', a->>'streamType', expected + e.ordinality::integer,
                 e.value->>'type', (e.value->>'schemaVersion')::integer, e.value->>'occurredAt',
                 a->>'recordedAt', COALESCE(e.value->'data', 'null'::jsonb), COALESCE(e.value->'metadata', 'null'::jsonb)
            FROM jsonb_array_elements(a->'events') WITH ORDINALITY AS e
           ORDER BY e.ordinality
          RETURNING position
        )
        SELECT max(ins.position) INTO last_pos FROM ins;
      END IF;

      IF u ? 'reserve' THEN
        FOR inv IN SELECT j.value FROM jsonb_array_elements(u->'reserve') WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
          UPDATE inventory SET reserved = reserved + (inv->>'quantity')::integer
           WHERE node_id = inv->>'nodeId' AND sku = inv->>'sku'
             AND on_hand::bigint - reserved - (inv->>'safetyStock')::bigint >= (inv->>'quantity')::bigint;
          IF NOT FOUND THEN
            outcome := jsonb_build_object('ok', false, 'reason', 'insufficient_stock', 'nodeId', inv->>'nodeId', 'sku', inv->>'sku');
            RAISE SQLSTATE 'OR001';
          END IF;
        END LOOP;
      END IF;

      IF u ? 'release' THEN
        FOR inv IN SELECT j.value FROM jsonb_array_elements(u->'release') WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
          UPDATE inventory SET reserved = greatest(0, reserved - (inv->>'quantity')::integer)
           WHERE node_id = inv->>'nodeId' AND sku = inv->>'sku';
        END LOOP;
      END IF;

      IF u ? 'decisions' THEN
        INSERT INTO routing_decisions (decision_id, kind, order_id, ruleset_version, created_at, decision)
        SELECT d.value->>'decisionId', d.value->>'kind', d.value->>'orderId', (d.value->>'rulesetVersion')::integer,
               d.value->>'createdAt', COALESCE(d.value->'decision', 'null'::jsonb)
          FROM jsonb_array_elements(u->'decisions') WITH ORDINALITY AS d
         ORDER BY d.ordinality;
      END IF;

      IF u ? 'capacity' THEN
        -- Summed per (node, day) first: one INSERT … ON CONFLICT may not touch a row twice.
        INSERT INTO node_capacity (node_id, day, used)
        SELECT c.value->>'nodeId', c.value->>'day', sum((c.value->>'fulfillments')::integer)
          FROM jsonb_array_elements(u->'capacity') AS c
         GROUP BY 1, 2
        ON CONFLICT (node_id, day) DO UPDATE SET used = node_capacity.used + EXCLUDED.used;
      END IF;

      IF b IS NOT NULL THEN
        DELETE FROM order_backorders WHERE order_id = b->>'orderId';
        INSERT INTO order_backorders (order_id, sku)
        SELECT b->>'orderId', s.value FROM jsonb_array_elements_text(b->'skus') AS s
        ON CONFLICT DO NOTHING;
      END IF;

      IF u ? 'outbox' THEN
        INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at)
        SELECT m.value->>'id', m.value->>'destination', m.value->>'partitionKey', m.value->>'type',
               COALESCE(m.value->'payload', 'null'::jsonb), m.value->>'idempotencyKey',
               (m.value->>'createdAt')::timestamptz, m.value->>'createdAt'
          FROM jsonb_array_elements(u->'outbox') WITH ORDINALITY AS m
         ORDER BY m.ordinality;
      END IF;

      IF o IS NOT NULL THEN
        INSERT INTO orders (id, channel, external_id, status, version, created_at, updated_at, view)
        VALUES (o->>'id', o->>'channel', o->>'externalId', o->>'status', (o->>'version')::integer,
                o->>'createdAt', o->>'updatedAt', COALESCE(o->'view', 'null'::jsonb))
        ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
          updated_at = EXCLUDED.updated_at, view = EXCLUDED.view;
      END IF;

      outcome := CASE WHEN last_pos IS NULL THEN '{"ok": true}'::jsonb
                      ELSE jsonb_build_object('ok', true, 'lastPosition', last_pos) END;
    EXCEPTION
      WHEN SQLSTATE 'OR001' THEN
        NULL; -- a refused unit: outcome is set, its subtransaction rolled back
      WHEN unique_violation THEN
        -- Safety net: a writer that did not take the commit lock won a race.
        GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
        IF cname = 'idempotency_pkey' THEN
          outcome := '{"ok": false, "reason": "idempotency_key_exists"}'::jsonb;
        ELSIF cname = 'external_refs_pkey' THEN
          outcome := jsonb_build_object('ok', false, 'reason', 'duplicate_external', 'orderId',
            (SELECT r.order_id FROM external_refs r
              WHERE r.channel = xref->>'channel' AND r.external_id = xref->>'externalId'));
        ELSIF cname IN ('streams_pkey', 'events_stream_version_key') THEN
          SELECT s.version INTO actual FROM streams s WHERE s.stream_id = a->>'streamId';
          outcome := jsonb_build_object('ok', false, 'reason', 'version_conflict', 'actualVersion', COALESCE(actual, 0));
        ELSE
          RAISE;
        END IF;
    END;
    outcomes := array_append(outcomes, outcome);
  END LOOP;
  RETURN to_jsonb(outcomes);
END
$fn$;
`;

/** Inserts `addition` at `anchor` (before or after it), or replaces the anchor; a missing anchor is a programming error. */
function amend(text: string, anchor: string, addition: string, where: 'before' | 'after' | 'replace'): string {
  const at = text.indexOf(anchor);
  if (at < 0 || text.indexOf(anchor, at + 1) >= 0) throw new Error(`commit function anchor not found exactly once: ${anchor}`);
  const end = at + anchor.length;
  if (where === 'replace') return text.slice(0, at) + addition + text.slice(end);
  return where === 'before' ? text.slice(0, at) + addition + text.slice(at) : text.slice(0, end) + addition + text.slice(end);
}

/**
 * V2 plus the fulfillment lifecycle's parts of a unit (issue 5): reservations committed by a
 * shipment (reserved and on-hand down, never below zero), restocked returns (on-hand up), the
 * fulfillment projection rows, units consumed without a reservation (an accepted shipment after
 * cancel: on-hand down), and the exceptions raised with the events (an exception whose
 * dedupe key is already unresolved is not raised twice). Committed and restocked positions are
 * locked up front with the others, in the same order. Installed by migration 5; derived from V2's
 * text so the two cannot drift apart, and — like every shipped migration — never edited.
 */
export const COMMIT_FUNCTION_V3 = [
  (t: string) =>
    amend(
      t,
      "COALESCE(un.value->'reserve', '[]'::jsonb) || COALESCE(un.value->'release', '[]'::jsonb)",
      " || COALESCE(un.value->'commit', '[]'::jsonb) || COALESCE(un.value->'restock', '[]'::jsonb) || COALESCE(un.value->'consume', '[]'::jsonb)",
      'after',
    ),
  (t: string) =>
    amend(
      t,
      "      IF u ? 'decisions' THEN",
      `      IF u ? 'commit' THEN
        FOR inv IN SELECT j.value FROM jsonb_array_elements(u->'commit') WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
          UPDATE inventory SET reserved = greatest(0, reserved - (inv->>'quantity')::integer),
                               on_hand = greatest(0, on_hand - (inv->>'quantity')::integer)
           WHERE node_id = inv->>'nodeId' AND sku = inv->>'sku';
        END LOOP;
      END IF;

      IF u ? 'restock' THEN
        FOR inv IN SELECT j.value FROM jsonb_array_elements(u->'restock') WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
          INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of)
          VALUES (inv->>'nodeId', inv->>'sku', (inv->>'quantity')::integer, 0, NULL)
          ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = inventory.on_hand + EXCLUDED.on_hand;
        END LOOP;
      END IF;

      IF u ? 'consume' THEN
        FOR inv IN SELECT j.value FROM jsonb_array_elements(u->'consume') WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
          UPDATE inventory SET on_hand = greatest(0, on_hand - (inv->>'quantity')::integer)
           WHERE node_id = inv->>'nodeId' AND sku = inv->>'sku';
        END LOOP;
      END IF;

      IF u ? 'fulfillmentRows' THEN
        INSERT INTO fulfillments (id, order_id, node_id, status, released_at, updated_at, view)
        SELECT f.value->>'id', f.value->>'orderId', f.value->>'nodeId', f.value->>'status', f.value->>'releasedAt',
               f.value->>'updatedAt', COALESCE(f.value->'view', 'null'::jsonb)
          FROM jsonb_array_elements(u->'fulfillmentRows') WITH ORDINALITY AS f
         ORDER BY f.ordinality
        ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, released_at = EXCLUDED.released_at,
          updated_at = EXCLUDED.updated_at, view = EXCLUDED.view;
      END IF;

      IF u ? 'exceptions' THEN
        INSERT INTO exceptions (id, dedupe_key, type, status, severity, owner, order_id, created_at, updated_at, sla_due_at, doc)
        SELECT x.value->>'id', x.value->>'dedupeKey', x.value->>'type', x.value->>'status', x.value->>'severity',
               x.value->>'owner', x.value->>'orderId', x.value->>'createdAt', x.value->>'updatedAt', x.value->>'slaDueAt',
               COALESCE(x.value->'doc', 'null'::jsonb)
          FROM jsonb_array_elements(u->'exceptions') WITH ORDINALITY AS x
         ORDER BY x.ordinality
        ON CONFLICT DO NOTHING;
      END IF;

`,
      'before',
    ),
  // Outbox rows carry the trace context of the request that caused them.
  (t: string) =>
    amend(
      t,
      `        INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at)
        SELECT m.value->>'id', m.value->>'destination', m.value->>'partitionKey', m.value->>'type',
               COALESCE(m.value->'payload', 'null'::jsonb), m.value->>'idempotencyKey',
               (m.value->>'createdAt')::timestamptz, m.value->>'createdAt'`,
      `        INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at, traceparent)
        SELECT m.value->>'id', m.value->>'destination', m.value->>'partitionKey', m.value->>'type',
               COALESCE(m.value->'payload', 'null'::jsonb), m.value->>'idempotencyKey',
               (m.value->>'createdAt')::timestamptz, m.value->>'createdAt', m.value->>'traceparent'`,
      'replace',
    ),
].reduce((text, step) => step(text), COMMIT_FUNCTION_V2);
