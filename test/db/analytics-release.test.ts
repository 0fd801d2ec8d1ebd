// The release of a child's play figures (issue 14, items 1, 2, 3 and 9): each
// cross-child figure counts only children who consented to its kind and have a
// real family, is released once per window and frozen, and is withheld in the
// same transaction when a child it counted stops counting; a single child's
// figures reach only a parent linked to that child now.
import type pg from "pg";
import { actingAs, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

const FLAGS = ["share_progress", "share_play_frequency", "share_educational_progress", "share_analytics"] as const;
type Flag = (typeof FLAGS)[number];

/** The figures of get_quest_analytics by the kind of consent that opens them. */
const PROGRESS = ["total_starts", "total_completions", "completion_rate", "avg_completion_time", "nodes_completed", "completion_percentage"];
const FREQUENCY = ["play_count", "total_time_minutes"];
const ANALYTICS = ["avg_xp_earned", "reveal_view_rate"];
const NEVER_ACROSS_CHILDREN = ["last_played", "educational_progress"];

const analytics = (client: pg.ClientBase, parent: string, quest: string) =>
  actingAs(client, "pas_bot_user", parent, async () =>
    (await client.query("select (app_public.get_quest_analytics($1)).*", [quest])).rows[0]);

const statistics = (client: pg.ClientBase, quest: string) =>
  client
    .query("select plays_count, completion_count, completion_rate, average_completion_time from app_public.quests where id = $1", [quest])
    .then((r) => r.rows[0]);

const shown = (row: Record<string, unknown>, figures: string[]) => figures.filter((f) => row[f] !== null);

/** The job's work for today's window, as the worker runs it. */
const refresh = (client: pg.ClientBase, quest: string) => client.query("select app_jobs.refresh_quest_analytics($1)", [quest]);

interface Player {
  child: TestUser;
  parent: TestUser;
}

/** A child with a family of their own (a parent who is not the quest's author) who played the quest, sharing `flags`. */
async function player(client: pg.ClientBase, quest: string, flags: Flag[], family = true): Promise<Player> {
  const child = await createUser(client, "child");
  const parent = await createUser(client, "parent");
  if (family) await linkFamily(client, parent, child);
  if (flags.length > 0) {
    await client.query(`update app_public.child_privacy set ${flags.map((f) => `${f} = true`).join(", ")} where child_id = $1`, [child.id]);
  }
  await client.query(
    `insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, completion_percentage, completed,
       started_at, completed_at, xp_earned, reveal_moments_viewed, session_count, total_time_minutes, last_played_at, educational_progress)
     values ($1, $2, 3, 3, 100, true, now() - interval '1 hour', now() - interval '50 minutes', 300, 1, 2, 20, now(), '{"math": 2}')`,
    [child.id, quest],
  );
  return { child, parent };
}

async function publicQuest(client: pg.ClientBase) {
  const author = await createUser(client, "parent");
  const quest = (await createQuest(client, author, { is_public: true, moderation_status: "approved" })).id;
  return { author, quest };
}

test("each cross-child figure counts only children who consented to its kind (item 1)", async () => {
  await withRootDb(async (client) => {
    const { author, quest } = await publicQuest(client);
    // Five children share analytics only; five others share play frequency only.
    for (let i = 0; i < 5; i++) await player(client, quest, ["share_analytics"]);
    for (let i = 0; i < 5; i++) await player(client, quest, ["share_play_frequency"]);
    await refresh(client, quest);

    const row = await analytics(client, author.id, quest);
    expect(row.consent_status).toBe("partially_consented");
    expect(shown(row, PROGRESS)).toEqual([]);
    expect(shown(row, NEVER_ACROSS_CHILDREN)).toEqual([]);
    expect(shown(row, FREQUENCY)).toEqual(FREQUENCY);
    expect(shown(row, ANALYTICS)).toEqual(ANALYTICS);
    // Play counts and completions are progress figures: nobody shares them, so the marketplace shows none.
    expect(await statistics(client, quest)).toEqual({ plays_count: 0, completion_count: 0, completion_rate: 0, average_completion_time: null });
    const { rows } = await client.query(
      "select total_starts, total_completions, completion_rate, avg_completion_time, nodes_completed, completion_percentage from app_public.quest_analytics where quest_id = $1",
      [quest],
    );
    expect(Object.values(rows[0]).every((v) => v === null)).toBe(true);
  });
});

test("the progress figures need five children sharing progress; then the marketplace shows them", async () => {
  await withRootDb(async (client) => {
    const { author, quest } = await publicQuest(client);
    for (let i = 0; i < 4; i++) await player(client, quest, ["share_progress"]);
    for (let i = 0; i < 3; i++) await player(client, quest, ["share_analytics"]);
    await refresh(client, quest);
    expect((await analytics(client, author.id, quest)).consent_status).toBe("too_few_children");
    expect((await statistics(client, quest)).plays_count).toBe(0);

    await player(client, quest, ["share_progress"]);
    await client.query("select app_private.release_quest_figures($1, now() + interval '1 day')", [quest]);
    const row = await analytics(client, author.id, quest);
    expect(row.consent_status).toBe("partially_consented");
    expect(shown(row, PROGRESS)).toEqual(PROGRESS);
    expect(shown(row, [...FREQUENCY, ...ANALYTICS, ...NEVER_ACROSS_CHILDREN])).toEqual([]);
    const stats = await statistics(client, quest);
    expect(stats.plays_count).toBeGreaterThanOrEqual(5);
    expect(stats).toMatchObject({ plays_count: row.total_starts, completion_count: row.total_completions, completion_rate: row.completion_rate });
  });
});

test("children without a real family never count, nor make up the five (item 3)", async () => {
  await withRootDb(async (client) => {
    const { author, quest } = await publicQuest(client);
    const all = [...FLAGS];
    // The author's own fake accounts, and accounts linked to nobody.
    for (let i = 0; i < 3; i++) {
      const fake = await player(client, quest, all, false);
      await linkFamily(client, author, fake.child);
    }
    await player(client, quest, all, false);
    await player(client, quest, all);
    await refresh(client, quest);
    const row = await analytics(client, author.id, quest);
    expect(row).toMatchObject({ consent_status: "too_few_children", children_count: null });
    expect(shown(row, [...PROGRESS, ...FREQUENCY, ...ANALYTICS])).toEqual([]);
    expect((await statistics(client, quest)).plays_count).toBe(0);
  });
});

test("a single child's figures reach only a parent linked to that child now; authorship grants nothing (item 2)", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const child = await createUser(client, "child");
    await linkFamily(client, parent, child);
    const quest = (await createQuest(client, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" })).id;
    await client.query(`update app_public.child_privacy set ${FLAGS.map((f) => `${f} = true`).join(", ")} where child_id = $1`, [child.id]);
    await client.query("insert into app_public.quest_progress (child_id, quest_id, xp_earned, session_count) values ($1, $2, 70, 3)", [child.id, quest]);
    expect(await analytics(client, parent.id, quest)).toMatchObject({ consent_status: "consented", avg_xp_earned: 70, play_count: 3 });

    await client.query("delete from app_public.family_links where parent_id = $1 and child_id = $2", [parent.id, child.id]);
    const row = await analytics(client, parent.id, quest);
    expect(row).toMatchObject({ consent_status: "not_found", children_count: null, total_nodes: null });
    expect(shown(row, [...PROGRESS, ...FREQUENCY, ...ANALYTICS, ...NEVER_ACROSS_CHILDREN])).toEqual([]);
    const { rows } = await client.query(
      "select decision, details ->> 'reason' as reason from app_private.audit_log where action = 'get_quest_analytics' and acting_user_id = $1 order by id desc limit 1",
      [parent.id],
    );
    expect(rows[0]).toEqual({ decision: "denied", reason: "not linked to the child" });
  });
});

test("figures are released once per window and frozen: repeated, rolled-back and before/after reads show no difference (item 3)", async () => {
  await withRootDb(async (client) => {
    const { author, quest } = await publicQuest(client);
    const all = [...FLAGS];
    for (let i = 0; i < 6; i++) await player(client, quest, all);
    await refresh(client, quest);
    const first = await analytics(client, author.id, quest);
    expect(first.consent_status).toBe("consented");
    expect(first.children_count).toBeGreaterThanOrEqual(5);
    expect(shown(first, NEVER_ACROSS_CHILDREN)).toEqual([]);

    // Asked again, and from a transaction the caller rolls back: the same figures.
    await client.query("savepoint reader");
    expect(await analytics(client, author.id, quest)).toEqual(first);
    await client.query("rollback to savepoint reader");
    expect(await analytics(client, author.id, quest)).toEqual(first);

    // One more child plays, and the job runs again in the same window: nothing moves.
    const late = await player(client, quest, all);
    await refresh(client, quest);
    expect(await analytics(client, author.id, quest)).toEqual(first);

    // The next windows, with the same inputs, keep the same noise: waiting draws nothing new.
    await client.query("delete from app_public.quest_progress where child_id = $1", [late.child.id]);
    for (const days of [1, 2, 3]) {
      expect((await client.query("select app_private.release_quest_figures($1, now() + make_interval(days => $2)) as fresh", [quest, days])).rows[0].fresh).toBe(true);
      expect(await analytics(client, author.id, quest)).toEqual(first);
    }
    // An earlier window cannot be released again.
    expect((await client.query("select app_private.release_quest_figures($1, now()) as fresh", [quest])).rows[0].fresh).toBe(false);
  });
});

test("only the owner may release: the worker and the apps cannot choose the window", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select r.role, has_function_privilege(r.role, 'app_private.release_quest_figures(uuid, timestamptz)', 'execute') as may
       from unnest(array['app_worker', 'pas_bot_user', 'inner_edu_user', 'app_authenticator']) as r(role)`,
    );
    expect(rows.filter((r) => r.may)).toEqual([]);
  });
});

describe("a child who stops counting takes every stored figure that counted them away, in the same transaction (item 9)", () => {
  /** Six children sharing everything, released; the worker never runs. */
  async function released(client: pg.ClientBase) {
    const { author, quest } = await publicQuest(client);
    const players: Player[] = [];
    for (let i = 0; i < 6; i++) players.push(await player(client, quest, [...FLAGS]));
    await refresh(client, quest);
    expect((await statistics(client, quest)).plays_count).toBeGreaterThan(0);
    expect((await analytics(client, author.id, quest)).consent_status).toBe("consented");
    return { author, quest, players };
  }

  test("a revoked default flag withholds that kind's figures and the public statistics", async () => {
    await withRootDb(async (client) => {
      const { author, quest, players } = await released(client);
      await actingAs(client, "inner_edu_user", players[0]!.child.id, () =>
        client.query("update app_public.child_privacy set share_progress = false"));
      expect(await statistics(client, quest)).toEqual({ plays_count: 0, completion_count: 0, completion_rate: 0, average_completion_time: null });
      const row = await analytics(client, author.id, quest);
      expect(row.consent_status).toBe("partially_consented");
      expect(shown(row, PROGRESS)).toEqual([]);
      expect(shown(row, [...FREQUENCY, ...ANALYTICS])).toEqual([...FREQUENCY, ...ANALYTICS]);
      // The job, running in the same window, does not bring them back.
      await refresh(client, quest);
      expect((await statistics(client, quest)).plays_count).toBe(0);
    });
  });

  test("a per-quest override that says no withholds too", async () => {
    await withRootDb(async (client) => {
      const { author, quest, players } = await released(client);
      await actingAs(client, "inner_edu_user", players[1]!.child.id, () =>
        client.query("insert into app_public.quest_privacy (quest_id, share_progress, share_play_frequency) values ($1, true, true)", [quest]));
      const row = await analytics(client, author.id, quest);
      expect(shown(row, ANALYTICS)).toEqual([]);
      expect(shown(row, [...PROGRESS, ...FREQUENCY])).toEqual([...PROGRESS, ...FREQUENCY]);
      expect(row.children_count).toBeGreaterThanOrEqual(5);
    });
  });

  test("a removed family link and an erased child withhold everything that counted them", async () => {
    await withRootDb(async (client) => {
      const { author, quest, players } = await released(client);
      await client.query("delete from app_public.family_links where child_id = $1", [players[2]!.child.id]);
      expect((await statistics(client, quest)).plays_count).toBe(0);
      expect(await analytics(client, author.id, quest)).toMatchObject({ consent_status: "too_few_children", children_count: null });
    });
    await withRootDb(async (client) => {
      const { author, quest, players } = await released(client);
      const erased = players[3]!.child.id;
      await client.query("delete from app_public.users where id = $1", [erased]);
      expect((await statistics(client, quest)).plays_count).toBe(0);
      expect((await analytics(client, author.id, quest)).consent_status).toBe("too_few_children");
      const { rows } = await client.query("select count(*)::int as n from app_private.quest_releases where $1 = any (members)", [erased]);
      expect(rows[0].n).toBe(0);
    });
  });

  test("a flag granted, or a revoke by a child who was not counted, withholds nothing", async () => {
    await withRootDb(async (client) => {
      const { author, quest, players } = await released(client);
      const before = await analytics(client, author.id, quest);
      const outsider = await player(client, quest, []);
      await actingAs(client, "inner_edu_user", outsider.child.id, async () => {
        await client.query("update app_public.child_privacy set share_analytics = true");
        await client.query("update app_public.child_privacy set share_analytics = false");
      });
      await actingAs(client, "inner_edu_user", players[4]!.child.id, () =>
        client.query("update app_public.child_privacy set share_emotional_state = true"));
      expect(await analytics(client, author.id, quest)).toEqual(before);
    });
  });
});

test("the noise comes from pgcrypto's CSPRNG, never random()", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select p.oid::regprocedure::text as fn, p.prosrc from pg_proc p
       where p.oid in ('app_private.release_quest_figures(uuid, timestamptz)'::regprocedure, 'app_private.uniform_noise()'::regprocedure,
                       'app_private.laplace_noise(double precision)'::regprocedure, 'app_private.geometric_noise(double precision)'::regprocedure)`,
    );
    expect(rows.filter((r) => /\brandom\s*\(/.test(r.prosrc))).toEqual([]);
    expect(rows.find((r) => r.fn.startsWith("app_private.uniform_noise")).prosrc).toMatch(/gen_random_bytes/);
    const draws = (await client.query("select array_agg(app_private.uniform_noise()) as u from generate_series(1, 1000)")).rows[0].u as number[];
    expect(draws.every((u) => u > 0 && u < 1)).toBe(true);
    expect(new Set(draws).size).toBe(1000);
  });
});
