// What the test server has (its version, its tools, its preloaded libraries),
// asked at a test file's top level, before the file's own database exists: a
// test that needs what the server lacks is declared with `testIf(false)`, which
// jest reports as skipped (never as passed).
import pg from "pg";

/** Runs `fn` as the superuser on the test server's `postgres` database. */
export async function askServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_ROOT_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `test` when the condition holds, else `test.skip`; the name says why it would be skipped. */
export function testIf(condition: boolean, whyNot: string) {
  return (name: string, fn: () => Promise<void>, timeoutMs?: number) =>
    condition ? test(name, fn, timeoutMs) : test.skip(`${name} (skipped: ${whyNot})`, fn);
}
