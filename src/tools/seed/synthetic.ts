// `db:seed --scale N`: runs synthetic.sql step by step on one superuser session
// (session_replication_role = replica, so no trigger fires during the load),
// showing each step's progress and time. One transaction: a failed load leaves nothing.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { UserError } from "../../errors/index.ts";
import { type MasterKeys, useMasterKeys } from "../../privacy/masterKeys.ts";

/** The largest --scale the generator takes (1,000,000 users). */
export const MAX_SCALE = 1000;

/** Chunked steps run this many times, so a long step shows progress. */
const CHUNKS = 20;

interface Step {
  name: string;
  sql: string;
  chunked: boolean;
}

async function steps(): Promise<Step[]> {
  const text = await readFile(new URL("./synthetic.sql", import.meta.url), "utf8");
  return text
    .split(/^-- step: /m)
    .slice(1)
    .map((block) => {
      const name = block.slice(0, block.indexOf("\n")).trim();
      return { name, sql: block.slice(block.indexOf("\n") + 1), chunked: /, chunked:/.test(name) };
    });
}

const bar = (done: number, total: number) => `[${"#".repeat(done)}${".".repeat(total - done)}] ${done}/${total}`;

export interface SyntheticCounts {
  /** Synthetic users (scale × 1,000); 0 in a database that was never seeded. */
  users: number;
  quests: number;
  progress: number;
  events: number;
}

/** What a database holds after `db:seed --scale N`. */
export async function countSyntheticData(client: pg.ClientBase | pg.Pool): Promise<SyntheticCounts> {
  const { rows } = await client.query<SyntheticCounts>(`
    select (select count(*) from app_public.users where email like '%@synthetic.invalid')::int as users,
           (select count(*) from app_public.quests)::int as quests,
           (select count(*) from app_public.quest_progress)::int as progress,
           (select count(*) from app_public.child_progress)::int as events`);
  return rows[0]!;
}

/** Loads scale × the seed's capacity into the database at `superuserUrl`. */
export async function seedSynthetic(
  superuserUrl: string,
  scale: number,
  keys: MasterKeys,
  out: NodeJS.WriteStream = process.stdout,
): Promise<SyntheticCounts & { seconds: number }> {
  const all = await steps();
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  const started = Date.now();
  let label = "";
  try {
    await client.query("begin");
    await client.query("set local session_replication_role = replica");
    // No trigger encrypts the P2 values: synthetic.sql calls app_private.encrypt_p2, with this key.
    await useMasterKeys(client, keys);
    await client.query(`set local seed.scale = ${scale}`);
    await client.query(`set local seed.chunks = ${CHUNKS}`);
    for (const [i, step] of all.entries()) {
      const stepStarted = Date.now();
      label = `[${i + 1}/${all.length}] ${step.name}`;
      if (step.chunked) {
        for (let chunk = 0; chunk < CHUNKS; chunk++) {
          if (out.isTTY) out.write(`\r${label} ${bar(chunk, CHUNKS)}`);
          await client.query(`set local seed.chunk = ${chunk}`);
          await client.query(step.sql);
        }
        if (out.isTTY) out.write("\r");
      } else {
        if (out.isTTY) out.write(`${label} ...`);
        await client.query(step.sql);
        if (out.isTTY) out.write("\r");
      }
      // (On a terminal, \x1b[K clears what the progress bar left on the line.)
      out.write(`${label} ${((Date.now() - stepStarted) / 1000).toFixed(1)} s${out.isTTY ? "\x1b[K" : ""}\n`);
    }
    // The quests' analytics are the worker's: the nightly job computes them all on its next run.
    await client.query("select app_jobs.request_job('refresh_all_quest_analytics', '{}', 'seed_refresh_all_quest_analytics')");
    const counts = await countSyntheticData(client);
    await client.query("commit");
    return { ...counts, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    await client.query("rollback").catch(() => {});
    if (out.isTTY) out.write("\n");
    throw new UserError(`${label} failed, nothing was loaded: ${(e as Error).message}`, { cause: e });
  } finally {
    await client.end();
  }
}
