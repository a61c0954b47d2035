import { resolve } from 'node:path';

/** Configuration from the environment (README §Configuration), validated once at start. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly bootstrapApiKey?: string;
  readonly sqliteSynchronous: 'FULL' | 'NORMAL';
  readonly bodyLimitBytes: number;
  /** Nodes loaded (created or replaced) at start. */
  readonly nodesFile?: string;
  /** Days after the last delivery during which a return is accepted before the order closes. */
  readonly returnWindowDays: number;
  /** The Shopify app's client secret: when set, POST /v1/channels/shopify/webhooks is enabled and verifies with it. */
  readonly shopifySecret?: string;
  /** A YAML/JSON Shopify mapping (ship methods, pickup stores, SKU aliases); absent: the documented default. */
  readonly shopifyMappingFile?: string;
  /** Connectors (HTTP, batch files) and the payment connector, from a YAML/JSON file. */
  readonly connectorsFile?: string;
  /** Run the simulated retail network (default: on for the embedded SQLite default, off on PostgreSQL). */
  readonly simulators: boolean;
  /** Reconciliation sweeps, drop directory, velocity classes, feed ages (docs/reconciliation.md). */
  readonly reconciliationFile?: string;
  /** Largest snapshot accepted by POST /v1/reconciliations (bigger ones: a file, or the CLI). */
  readonly reconciliationBodyLimitBytes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${env.PORT}`);
  const sync = (env.ORDERLY_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('ORDERLY_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  const key = env.ORDERLY_BOOTSTRAP_API_KEY;
  if (key !== undefined && key !== '' && !/^[\x21-\x7E]{16,256}$/.test(key)) {
    throw new Error('ORDERLY_BOOTSTRAP_API_KEY must be 16–256 printable characters without spaces');
  }
  const returnWindowDays = Number(env.ORDERLY_RETURN_WINDOW_DAYS ?? 30);
  if (!Number.isFinite(returnWindowDays) || returnWindowDays < 0 || returnWindowDays > 3650) {
    throw new Error(`ORDERLY_RETURN_WINDOW_DAYS must be a number of days from 0 to 3650, not ${env.ORDERLY_RETURN_WINDOW_DAYS}`);
  }
  const shopifySecret = env.ORDERLY_SHOPIFY_SECRET;
  // An empty key would let anyone sign; stray whitespace (a pasted newline) would refuse every webhook.
  if (shopifySecret !== undefined && (shopifySecret.trim() === '' || shopifySecret !== shopifySecret.trim())) {
    throw new Error('ORDERLY_SHOPIFY_SECRET must be the Shopify app secret: not empty, no leading or trailing whitespace (unset it to disable the Shopify channel)');
  }
  const sims = (env.ORDERLY_SIMULATORS ?? (env.DATABASE_URL ? 'off' : 'on')).toLowerCase();
  if (sims !== 'on' && sims !== 'off') throw new Error(`ORDERLY_SIMULATORS must be on or off, not ${env.ORDERLY_SIMULATORS}`);
  const snapshotMb = Number(env.ORDERLY_RECONCILIATION_BODY_LIMIT_MB ?? 64);
  if (!Number.isFinite(snapshotMb) || snapshotMb < 1 || snapshotMb > 1024) throw new Error(`ORDERLY_RECONCILIATION_BODY_LIMIT_MB must be 1–1024, not ${env.ORDERLY_RECONCILIATION_BODY_LIMIT_MB}`);
  return {
    returnWindowDays,
    reconciliationBodyLimitBytes: Math.round(snapshotMb * 1024 * 1024),
    ...(env.ORDERLY_RECONCILIATION_FILE ? { reconciliationFile: resolve(env.ORDERLY_RECONCILIATION_FILE) } : {}),
    simulators: sims === 'on',
    ...(env.ORDERLY_CONNECTORS_FILE ? { connectorsFile: resolve(env.ORDERLY_CONNECTORS_FILE) } : {}),
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.ORDERLY_DATA_DIR ?? './data'),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(key ? { bootstrapApiKey: key } : {}),
    sqliteSynchronous: sync,
    bodyLimitBytes: 1024 * 1024,
    ...(env.ORDERLY_NODES_FILE ? { nodesFile: resolve(env.ORDERLY_NODES_FILE) } : {}),
    ...(shopifySecret ? { shopifySecret } : {}),
    ...(env.ORDERLY_SHOPIFY_MAPPING_FILE ? { shopifyMappingFile: resolve(env.ORDERLY_SHOPIFY_MAPPING_FILE) } : {}),
  };
}
