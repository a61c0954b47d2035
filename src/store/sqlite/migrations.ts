/** Versioned SQLite migrations, applied in order at start; never edit one that has shipped. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        stream_id TEXT NOT NULL,
        stream_type TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        occurred_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        UNIQUE (stream_id, version)
      );
      CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE TABLE external_refs (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        PRIMARY KEY (channel, external_id)
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        destination TEXT NOT NULL,
        partition_key TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        available_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_pending ON outbox (status, seq);
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        view TEXT NOT NULL
      );
      CREATE INDEX orders_external ON orders (external_id, channel);
      CREATE INDEX orders_status ON orders (status, id);
      CREATE INDEX orders_channel ON orders (channel, id);
      CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'inventory and routing',
    sql: `
      CREATE TABLE nodes (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE inventory (
        node_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        on_hand INTEGER NOT NULL DEFAULT 0,
        reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        as_of TEXT,
        PRIMARY KEY (node_id, sku)
      );
      CREATE INDEX inventory_sku ON inventory (sku);
      CREATE TABLE inventory_adjustments (
        source_id TEXT PRIMARY KEY,
        node_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        delta INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE TABLE node_capacity (
        node_id TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL,
        PRIMARY KEY (node_id, day)
      );
      CREATE TABLE order_backorders (
        order_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        PRIMARY KEY (sku, order_id)
      );
      CREATE INDEX order_backorders_order ON order_backorders (order_id);
      CREATE TABLE rulesets (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        activated_at TEXT
      );
      CREATE TABLE routing_decisions (
        decision_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        order_id TEXT NOT NULL,
        ruleset_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        decision TEXT NOT NULL,
        PRIMARY KEY (decision_id, kind)
      );
      CREATE INDEX routing_decisions_order ON routing_decisions (order_id, created_at);
      CREATE INDEX routing_decisions_ruleset ON routing_decisions (ruleset_version, kind, decision_id);
    `,
  },
  {
    // Outbox dispatch: claim leases (owner, expiry, a token that fences late outcomes), attempt
    // history, outcomes, dead letters and their audit. Every new column is nullable or has a
    // default, so the commit path's INSERT is unchanged. `discarded` is a new status (no CHECK here).
    version: 3,
    name: 'outbox dispatch',
    sql: `
      ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
      ALTER TABLE outbox ADD COLUMN lease_until TEXT;
      ALTER TABLE outbox ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN first_attempt_at TEXT;
      ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
      ALTER TABLE outbox ADD COLUMN last_error TEXT;
      ALTER TABLE outbox ADD COLUMN dispatched_at TEXT;
      ALTER TABLE outbox ADD COLUMN reference TEXT;
      ALTER TABLE outbox ADD COLUMN dead_reason TEXT;
      ALTER TABLE outbox ADD COLUMN dead_at TEXT;
      ALTER TABLE outbox ADD COLUMN traceparent TEXT;
      -- Partition order: "is there an unfinished message before this one in its partition?"
      CREATE INDEX outbox_unfinished ON outbox (partition_key, seq) WHERE status IN ('pending', 'dead');
      -- Claims per destination, oldest first; dead letters oldest first.
      CREATE INDEX outbox_claim ON outbox (destination, seq) WHERE status = 'pending';
      CREATE INDEX outbox_dead ON outbox (seq) WHERE status = 'dead';
      CREATE TABLE outbox_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX outbox_audit_message ON outbox_audit (message_id, id);
    `,
  },
  {
    version: 4,
    name: 'fulfillments and exceptions',
    sql: `
      CREATE TABLE fulfillments (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        status TEXT NOT NULL,
        released_at TEXT,
        updated_at TEXT NOT NULL,
        view TEXT NOT NULL
      );
      CREATE INDEX fulfillments_node_status ON fulfillments (node_id, status, id);
      CREATE INDEX fulfillments_status ON fulfillments (status, released_at, id);
      CREATE INDEX fulfillments_order ON fulfillments (order_id);
      CREATE TABLE exceptions (
        id TEXT PRIMARY KEY,
        dedupe_key TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        owner TEXT NOT NULL,
        order_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sla_due_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      -- One unresolved exception per problem: raising it again finds this one.
      CREATE UNIQUE INDEX exceptions_open_key ON exceptions (dedupe_key) WHERE status <> 'resolved';
      CREATE INDEX exceptions_status ON exceptions (status, id);
      CREATE INDEX exceptions_order ON exceptions (order_id, id);
      CREATE INDEX exceptions_type ON exceptions (type, status, id);
    `,
  },
  {
    // Reconciliation (issue 6): runs with a lease so an interrupted one is resumed, the target's
    // snapshot spilled as sorted chunks of pages (an external sort: a few large rows, not one per
    // snapshot row), and the drifts and deferrals each run found. Adjustments get an index on
    // their time: a run nets the movements since the snapshot's asOf.
    version: 5,
    name: 'reconciliation runs',
    sql: `
      CREATE TABLE reconciliation_runs (
        id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        as_of TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        scope TEXT NOT NULL,
        progress TEXT NOT NULL,
        cursor TEXT,
        totals TEXT NOT NULL,
        error TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        owner TEXT,
        lease_until TEXT
      );
      CREATE INDEX reconciliation_runs_target ON reconciliation_runs (target, kind, id);
      CREATE INDEX reconciliation_runs_status ON reconciliation_runs (status, id);
      CREATE TABLE reconciliation_pages (
        run_id TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        page INTEGER NOT NULL,
        first_key TEXT NOT NULL,
        last_key TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        rows TEXT NOT NULL,
        PRIMARY KEY (run_id, chunk, page)
      ) WITHOUT ROWID;
      CREATE TABLE reconciliation_drifts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        class TEXT NOT NULL,
        status TEXT NOT NULL,
        until TEXT,
        exception_id TEXT,
        doc TEXT NOT NULL,
        UNIQUE (run_id, dedupe_key)
      );
      CREATE INDEX reconciliation_drifts_run ON reconciliation_drifts (run_id, status, seq);
      CREATE INDEX reconciliation_drifts_due ON reconciliation_drifts (until) WHERE status = 'deferral';
      CREATE INDEX inventory_adjustments_at ON inventory_adjustments (at);
    `,
  },
];
