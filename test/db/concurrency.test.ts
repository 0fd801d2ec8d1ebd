// Both apps writing at once, on separate connections as the apps would: no lost
// update, no deadlock, no error.
import pg from "pg";
import { roleUrl, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

let parent: TestUser;
let kids: TestUser[];
let personal: string;
let publicQuest: string;

beforeAll(async () => {
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent");
    kids = [await createUser(owner, "child"), await createUser(owner, "child")];
    for (const kid of kids) await linkFamily(owner, parent, kid);
    personal = (await createQuest(owner, parent, { child_id: kids[0]!.id, status: "deployed", moderation_status: "approved" })).id;
    publicQuest = (await createQuest(owner, parent, { is_public: true, moderation_status: "approved" })).id;
  });
});

/** Runs `fn` in its own transaction on a fresh connection, as `role` acting as `userId`. */
async function asApp<T>(role: "pas_bot_user" | "inner_edu_user", userId: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: roleUrl(role) });
  // A query's own error rejects its promise; this only catches the 57P01 of a client still open when a failed test's database is dropped.
  client.on("error", (e) => {
    if ((e as pg.DatabaseError).code !== "57P01") console.error("app client error:", e);
  });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.user_id', $1, true)", [userId]);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } finally {
    await client.end();
  }
}

const play = (kid: TestUser, quest: string) =>
  asApp("inner_edu_user", kid.id, (c) => c.query("select app_public.update_quest_progress($1, 1, minutes_played => 1)", [quest]));

test("two children playing a public quest at once, and one child in two sessions at once: every session counted", async () => {
  const rounds = 15;
  await Promise.all(
    Array.from({ length: rounds }, () => [play(kids[0]!, publicQuest), play(kids[1]!, publicQuest), play(kids[1]!, publicQuest)]).flat(),
  );
  const { rows } = await withOwnerDb((owner) =>
    owner.query(
      "select child_id, session_count, total_time_minutes from app_public.quest_progress where quest_id = $1 order by session_count",
      [publicQuest],
    ),
  );
  expect(rows).toEqual([
    { child_id: kids[0]!.id, session_count: rounds, total_time_minutes: rounds },
    { child_id: kids[1]!.id, session_count: 2 * rounds, total_time_minutes: 2 * rounds },
  ]);
});

test("the parent edits a quest while the child plays it: both land, and a stale edit is refused, not lost", async () => {
  // The status flow, not content: any edit of what the child reads (tags too, issue 15) sends the quest back
  // to moderation and out of the child's hands. Redeploying writes the row and keeps the approval.
  const edits = Array.from({ length: 10 }, () =>
    asApp("pas_bot_user", parent.id, (c) => c.query("update app_public.quests set status = 'deployed' where id = $1", [personal])),
  );
  const plays = Array.from({ length: 10 }, () => play(kids[0]!, personal));
  await Promise.all([...edits, ...plays]);

  // Two editors who both read version v: the second write names a stale version and fails clearly.
  const { rows: [{ version }] } = await withOwnerDb((owner) =>
    owner.query("select version from app_public.quests where id = $1", [personal]));
  await asApp("pas_bot_user", parent.id, (c) => c.query("update app_public.quests set title = 'First', version = $2 where id = $1", [personal, version]));
  await expect(
    asApp("pas_bot_user", parent.id, (c) => c.query("update app_public.quests set title = 'Second', version = $2 where id = $1", [personal, version])),
  ).rejects.toMatchObject({ code: "STALE" });
  const { rows } = await withOwnerDb((owner) =>
    owner.query(
      `select q.title, q.version, p.session_count from app_public.quests q
       join app_public.quest_progress p on p.quest_id = q.id where q.id = $1`, [personal]));
  expect(rows).toEqual([{ title: "First", version: version + 1, session_count: 10 }]);
});
