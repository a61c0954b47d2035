import pg from 'pg';

/**
 * The PostgreSQL server tests use: DATABASE_URL (as CI sets it). Without it the PostgreSQL suites
 * are left out locally, but under CI=true a missing DATABASE_URL is an error, not a skip.
 */
export function postgresTestUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but DATABASE_URL is not set: the PostgreSQL suites must run in CI');
  }
  return url || undefined;
}

/** Creates a throwaway database on the configured server; `drop` removes it. */
export async function createTestDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = postgresTestUrl();
  if (!base) throw new Error('DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
