import type pg from 'pg';
import { inTransaction } from './transaction.js';
import { COMMIT_FUNCTION_V1, COMMIT_FUNCTION_V2, COMMIT_FUNCTION_V3 } from './commitFunction.js';

/**
 * Versioned PostgreSQL migrations, applied in order at start; never edit one that has shipped.
 *
 * Same tables as the SQLite adapter. Differences: JSON columns are JSONB; positions and outbox
 * seqs are bigint (returned as numbers); the port's timestamps are stored as the exact text the
 * port received (it compares them as strings), except `outbox.available_at`, a timestamptz that
 * only the outbox dispatcher reads (`available_at <= now()`). Identifier columns use the "C"
 * collation so that ordering and the `id < cursor` pagination are bytewise, as in SQLite, whatever
 * the database's default collation.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE streams (
        stream_id text COLLATE "C" NOT NULL,
        stream_type text NOT NULL,
        version integer NOT NULL,
        CONSTRAINT streams_pkey PRIMARY KEY (stream_id)
      );
      CREATE TABLE events (
        position bigserial NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        stream_id text COLLATE "C" NOT NULL,
        stream_type text NOT NULL,
        version integer NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        occurred_at text NOT NULL,
        recorded_at text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        CONSTRAINT events_pkey PRIMARY KEY (position),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
      );
      CREATE TABLE idempotency (
        scope text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        fingerprint text NOT NULL,
        status integer NOT NULL,
        body jsonb NOT NULL,
        created_at text NOT NULL,
        CONSTRAINT idempotency_pkey PRIMARY KEY (scope, key)
      );
      CREATE TABLE external_refs (
        channel text COLLATE "C" NOT NULL,
        external_id text COLLATE "C" NOT NULL,
        order_id text COLLATE "C" NOT NULL,
        CONSTRAINT external_refs_pkey PRIMARY KEY (channel, external_id)
      );
      CREATE TABLE outbox (
        seq bigserial NOT NULL,
        id text COLLATE "C" NOT NULL,
        destination text COLLATE "C" NOT NULL,
        partition_key text COLLATE "C" NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        idempotency_key text COLLATE "C" NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        available_at timestamptz NOT NULL,
        created_at text NOT NULL,
        CONSTRAINT outbox_pkey PRIMARY KEY (seq),
        CONSTRAINT outbox_id_key UNIQUE (id),
        CONSTRAINT outbox_idempotency_key_key UNIQUE (idempotency_key),
        CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'dispatched', 'dead'))
      );
      -- Claims: SELECT … WHERE status = 'pending' AND available_at <= now() ORDER BY seq
      -- LIMIT n FOR UPDATE SKIP LOCKED walks this small partial index oldest first.
      CREATE INDEX outbox_pending ON outbox (seq) WHERE status = 'pending';
      CREATE TABLE orders (
        id text COLLATE "C" NOT NULL,
        channel text COLLATE "C" NOT NULL,
        external_id text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        view jsonb NOT NULL,
        CONSTRAINT orders_pkey PRIMARY KEY (id)
      );
      CREATE INDEX orders_external ON orders (external_id, channel);
      CREATE INDEX orders_status ON orders (status, id);
      CREATE INDEX orders_channel ON orders (channel, id);
      CREATE TABLE identities (
        id text COLLATE "C" NOT NULL,
        name text NOT NULL,
        key_hash text COLLATE "C" NOT NULL,
        scopes jsonb NOT NULL,
        created_at text NOT NULL,
        CONSTRAINT identities_pkey PRIMARY KEY (id),
        CONSTRAINT identities_key_hash_key UNIQUE (key_hash)
      );
    `,
  },
  {
    version: 2,
    name: 'commit_function',
    sql: COMMIT_FUNCTION_V1,
  },
  {
    // The SQLite adapter's migration 2, plus: routing_decisions.created_at is "C" too (decisions are
    // listed in created_at order, bytewise as in SQLite, and the index serves that order), and a
    // partial unique index holds the port's rule of one 'active' and one 'shadow' ruleset.
    version: 3,
    name: 'inventory and routing',
    sql: `
      CREATE TABLE nodes (
        id text COLLATE "C" NOT NULL,
        doc jsonb NOT NULL,
        updated_at text NOT NULL,
        CONSTRAINT nodes_pkey PRIMARY KEY (id)
      );
      CREATE TABLE inventory (
        node_id text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        on_hand integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0,
        as_of text,
        CONSTRAINT inventory_pkey PRIMARY KEY (node_id, sku),
        CONSTRAINT inventory_reserved_check CHECK (reserved >= 0)
      );
      CREATE INDEX inventory_sku ON inventory (sku);
      CREATE TABLE inventory_adjustments (
        source_id text COLLATE "C" NOT NULL,
        node_id text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        delta integer NOT NULL,
        reason text NOT NULL,
        at text NOT NULL,
        CONSTRAINT inventory_adjustments_pkey PRIMARY KEY (source_id)
      );
      CREATE TABLE node_capacity (
        node_id text COLLATE "C" NOT NULL,
        day text COLLATE "C" NOT NULL,
        used integer NOT NULL,
        CONSTRAINT node_capacity_pkey PRIMARY KEY (node_id, day)
      );
      CREATE TABLE order_backorders (
        order_id text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        CONSTRAINT order_backorders_pkey PRIMARY KEY (sku, order_id)
      );
      CREATE INDEX order_backorders_order ON order_backorders (order_id);
      CREATE TABLE rulesets (
        version serial NOT NULL,
        name text NOT NULL,
        doc jsonb NOT NULL,
        status text COLLATE "C" NOT NULL,
        created_at text NOT NULL,
        activated_at text,
        CONSTRAINT rulesets_pkey PRIMARY KEY (version)
      );
      CREATE UNIQUE INDEX rulesets_one_holder ON rulesets (status) WHERE status IN ('active', 'shadow');
      CREATE TABLE routing_decisions (
        decision_id text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        order_id text COLLATE "C" NOT NULL,
        ruleset_version integer NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        decision jsonb NOT NULL,
        CONSTRAINT routing_decisions_pkey PRIMARY KEY (decision_id, kind)
      );
      CREATE INDEX routing_decisions_order ON routing_decisions (order_id, created_at);
      CREATE INDEX routing_decisions_ruleset ON routing_decisions (ruleset_version, kind, decision_id);
      ${COMMIT_FUNCTION_V2}
    `,
  },
  {
    // Outbox dispatch, as SQLite's migration 3: claim leases (lease_until a timestamptz compared
    // with the caller's now, like available_at), attempt history, outcomes, dead letters and their
    // audit, and the new final status 'discarded'. New columns have defaults, so orderly_commit's
    // INSERT is unchanged.
    version: 4,
    name: 'outbox dispatch',
    sql: `
      ALTER TABLE outbox
        ADD COLUMN lease_owner text COLLATE "C",
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN lease_token integer NOT NULL DEFAULT 0,
        ADD COLUMN in_doubt boolean NOT NULL DEFAULT false,
        ADD COLUMN first_attempt_at text,
        ADD COLUMN last_attempt_at text,
        ADD COLUMN last_error jsonb,
        ADD COLUMN dispatched_at text,
        ADD COLUMN reference text,
        ADD COLUMN dead_reason text,
        ADD COLUMN dead_at text,
        ADD COLUMN traceparent text,
        DROP CONSTRAINT outbox_status_check,
        ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'dispatched', 'dead', 'discarded')),
        ADD CONSTRAINT outbox_dead_reason_check
          CHECK (dead_reason IS NULL OR dead_reason IN ('exhausted', 'business', 'ambiguous', 'unroutable'));
      CREATE INDEX outbox_unfinished ON outbox (partition_key, seq) WHERE status IN ('pending', 'dead');
      CREATE INDEX outbox_claim ON outbox (destination, seq) WHERE status = 'pending';
      CREATE INDEX outbox_dead ON outbox (seq) WHERE status = 'dead';
      CREATE TABLE outbox_audit (
        id bigserial NOT NULL,
        message_id text COLLATE "C" NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        at text NOT NULL,
        detail jsonb NOT NULL,
        CONSTRAINT outbox_audit_pkey PRIMARY KEY (id)
      );
      CREATE INDEX outbox_audit_message ON outbox_audit (message_id, id);
    `,
  },
  {
    version: 5,
    name: 'fulfillments and exceptions',
    sql: `
      CREATE TABLE fulfillments (
        id text COLLATE "C" NOT NULL,
        order_id text COLLATE "C" NOT NULL,
        node_id text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        released_at text COLLATE "C",
        updated_at text NOT NULL,
        view jsonb NOT NULL,
        CONSTRAINT fulfillments_pkey PRIMARY KEY (id)
      );
      CREATE INDEX fulfillments_node_status ON fulfillments (node_id, status, id);
      CREATE INDEX fulfillments_status ON fulfillments (status, released_at, id);
      CREATE INDEX fulfillments_order ON fulfillments (order_id);
      CREATE TABLE exceptions (
        id text COLLATE "C" NOT NULL,
        dedupe_key text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        severity text COLLATE "C" NOT NULL,
        owner text COLLATE "C" NOT NULL,
        order_id text COLLATE "C",
        created_at text NOT NULL,
        updated_at text NOT NULL,
        sla_due_at text NOT NULL,
        doc jsonb NOT NULL,
        CONSTRAINT exceptions_pkey PRIMARY KEY (id)
      );
      -- One unresolved exception per problem: raising it again finds this one.
      CREATE UNIQUE INDEX exceptions_open_key ON exceptions (dedupe_key) WHERE status <> 'resolved';
      CREATE INDEX exceptions_status ON exceptions (status, id);
      CREATE INDEX exceptions_order ON exceptions (order_id, id);
      CREATE INDEX exceptions_type ON exceptions (type, status, id);
      ${COMMIT_FUNCTION_V3}
    `,
  },
  {
    // Reconciliation (issue 6): runs leased to the process running them (an interrupted run is
    // claimed again and resumed from its cursor), the target's snapshot spilled as sorted chunks
    // of pages, and the findings of each run. Written outside orderly_commit (no change to it).
    version: 6,
    name: 'reconciliation runs',
    sql: `
      CREATE TABLE reconciliation_runs (
        id text COLLATE "C" NOT NULL,
        target text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        as_of text NOT NULL,
        status text COLLATE "C" NOT NULL
          CHECK (status IN ('receiving', 'queued', 'running', 'completed', 'failed')),
        source text NOT NULL,
        scope jsonb NOT NULL,
        progress jsonb NOT NULL,
        cursor text,
        totals jsonb NOT NULL,
        error text,
        created_by text NOT NULL,
        created_at text NOT NULL,
        started_at text,
        finished_at text,
        owner text,
        lease_until text COLLATE "C",
        CONSTRAINT reconciliation_runs_pkey PRIMARY KEY (id)
      );
      CREATE INDEX reconciliation_runs_target ON reconciliation_runs (target, kind, id);
      CREATE INDEX reconciliation_runs_status ON reconciliation_runs (status, id);
      CREATE TABLE reconciliation_pages (
        run_id text COLLATE "C" NOT NULL,
        chunk integer NOT NULL,
        page integer NOT NULL,
        first_key text NOT NULL,
        last_key text NOT NULL,
        row_count integer NOT NULL,
        rows text NOT NULL,
        CONSTRAINT reconciliation_pages_pkey PRIMARY KEY (run_id, chunk, page)
      );
      -- Pages are written once, read once and deleted: not worth compressing.
      ALTER TABLE reconciliation_pages ALTER COLUMN rows SET STORAGE EXTERNAL;
      CREATE TABLE reconciliation_drifts (
        seq bigserial NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        dedupe_key text COLLATE "C" NOT NULL,
        class text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL CHECK (status IN ('drift', 'deferral', 'cleared')),
        until text COLLATE "C",
        exception_id text COLLATE "C",
        doc jsonb NOT NULL,
        CONSTRAINT reconciliation_drifts_pkey PRIMARY KEY (seq),
        CONSTRAINT reconciliation_drifts_key UNIQUE (run_id, dedupe_key)
      );
      CREATE INDEX reconciliation_drifts_run ON reconciliation_drifts (run_id, status, seq);
      CREATE INDEX reconciliation_drifts_due ON reconciliation_drifts (until) WHERE status = 'deferral';
      CREATE INDEX inventory_adjustments_at ON inventory_adjustments (at);
    `,
  },
];

/** 'orderly' + 0x00, as a bigint: held while migrations are checked and applied. */
export const MIGRATION_LOCK_KEY = '8030591472429201664';

/**
 * Applies the pending migrations in one transaction under a transaction-level advisory lock, so
 * processes starting together wait for each other instead of racing: the first applies them, the
 * others then find nothing to do. Returns the versions this call applied.
 */
export async function applyMigrations(pool: pg.Pool): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
