// Per test file: a database cloned from the template (parallel-safe), dropped
// afterwards; per test: a transaction that is always rolled back.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Config, type RoleName, roleConnectionString, urlForDatabase } from "../../src/config.ts";
import { ensureRoles } from "../../src/db/migrate.ts";
import { resilientPool } from "../../src/db/pool.ts";

const rootServerUrl = process.env.TEST_ROOT_URL!;
const databaseName = `pas_test_${process.env.JEST_WORKER_ID ?? "0"}_${randomBytes(4).toString("hex")}`;
const pools = new Map<string, pg.Pool>();

export const rootUrl = urlForDatabase(rootServerUrl, databaseName);
export const ownerUrl = urlForDatabase(process.env.TEST_OWNER_URL_TEMPLATE!, databaseName);

/** This file's database, logged in as one of the fixed roles. */
export function roleUrl(role: RoleName): string {
  return roleConnectionString(testConfig(), role);
}

/** A Config for this file's database, as the commands would build it. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    production: false,
    httpPort: 0,
    ownerUrl,
    rootUrl: urlForDatabase(rootServerUrl, "postgres"),
    embedded: undefined,
    poolMax: 5,
    trustedDocumentsDir: undefined,
    metricsPort: undefined,
    logLevel: "info",
    secret: (name) => process.env[name]!,
    ...overrides,
  };
}

export function poolFor(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    // A client still closing when afterAll drops the database (WITH FORCE) gets 57P01: resilientPool lets it go.
    pool = resilientPool({ connectionString: url, max: 4 }, "test pool");
    pools.set(url, pool);
  }
  return pool;
}

beforeAll(async () => {
  const root = new pg.Client({ connectionString: urlForDatabase(rootServerUrl, "postgres") });
  await root.connect();
  await root.query(`create database ${databaseName} template ${process.env.TEST_TEMPLATE_DATABASE}`);
  await root.end();
  // A clone does not inherit the template's database-level grants: assert them as start-up does.
  await ensureRoles(testConfig(), () => {});
});

afterAll(async () => {
  await Promise.all([...pools.values()].map((pool) => pool.end()));
  pools.clear();
  const root = new pg.Client({ connectionString: urlForDatabase(rootServerUrl, "postgres") });
  await root.connect();
  await root.query(`drop database if exists ${databaseName} with (force)`);
  await root.end();
});

/** Runs `fn` as the superuser in a transaction that is rolled back afterwards. */
export async function withRootDb<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolFor(rootUrl).connect();
  await client.query("begin");
  try {
    return await fn(client);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

/**
 * Runs `fn` as the owner, outside any test transaction: for rows that other
 * connections (the HTTP server's, the worker's, the apps') must see.
 */
export async function withOwnerDb<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolFor(ownerUrl).connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` logged in as an app role acting as a user, in a transaction that
 * commits — as the apps' trusted services use direct SQL.
 */
export async function committedAs<T>(role: RoleName, userId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolFor(roleUrl(role)).connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.user_id', $1, true)", [userId]);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

/** Switches the transaction to an app role acting as a user (null: nobody), as GraphQL does. */
export async function becomeUser(client: pg.ClientBase, role: RoleName, userId: string | null): Promise<void> {
  await client.query("select set_config('role', $1, true), set_config('app.user_id', $2, true)", [
    role,
    userId ?? "",
  ]);
}

/** Back to the superuser, for arranging data mid-test. */
export async function becomeRoot(client: pg.ClientBase): Promise<void> {
  await client.query("reset role");
  await client.query("select set_config('app.user_id', '', true)");
}

/** Runs one statement in a savepoint, so an expected error does not abort the test's transaction. */
export async function expectError(client: pg.ClientBase, sql: string, params: unknown[] = []) {
  await client.query("savepoint expect_error");
  try {
    await client.query(sql, params);
  } catch (e) {
    await client.query("rollback to savepoint expect_error");
    return e as pg.DatabaseError;
  }
  await client.query("release savepoint expect_error");
  throw new Error(`Expected an error from: ${sql}`);
}

/** Runs `fn` as an app role acting as a user, then returns to the superuser (also when `fn` throws). */
export async function actingAs<T>(
  client: pg.ClientBase,
  role: RoleName,
  userId: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  await becomeUser(client, role, userId);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // An aborted transaction refuses the reset too; the error worth reading is fn's.
    await becomeRoot(client).catch(() => {});
    throw error;
  }
  await becomeRoot(client);
  return result;
}
