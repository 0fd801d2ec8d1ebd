// test/replica/'s servers (npm run test:replica): this file's database on the primary and on its standby.
import pg from "pg";
import { urlForDatabase } from "../../src/config.ts";
import { ownerUrl } from "./db.ts";

const standby = process.env.REPLICA_ROOT_DATABASE_URL;
if (!standby) throw new Error("test/replica/ needs REPLICA_ROOT_DATABASE_URL (its standby): run it with `npm run test:replica`.");
/** The superuser's URL on the standby. */
export const standbyRoot: string = standby;
/** The superuser's URL on the primary. */
export const primaryRoot = process.env.TEST_ROOT_URL!;
/** This file's database (the same name on both servers). */
export const testDatabase = new URL(ownerUrl).pathname.slice(1);

/** `url` with the standby's host and port (another port: a proxy in front of it). */
export function onStandby(url: string, port = new URL(standbyRoot).port): string {
  const u = new URL(url);
  u.hostname = new URL(standbyRoot).hostname;
  u.port = port;
  return u.href;
}

/** Runs `fn` as the superuser on this file's database of the server at `serverRoot` (primaryRoot or standbyRoot). */
export async function asRoot<T>(serverRoot: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlForDatabase(serverRoot, testDatabase) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
