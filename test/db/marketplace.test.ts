import type pg from "pg";
import { actingAs, expectError, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";


const listing = (client: pg.ClientBase, user: string) =>
  actingAs(client, "pas_bot_user", user, async () =>
    (await client.query("select id from app_public.marketplace_quests() order by rating desc, plays_count desc")).rows.map((r) => r.id));

test("a review requested, scored and approved puts the public quest in the marketplace", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    expect(await listing(client, W.parentA)).toEqual([]); // public and approved, but not yet reviewed

    const review = await actingAs(client, "pas_bot_user", W.parentB, async () =>
      (await client.query("insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2) returning id", [W.publicB, W.psychologist])).rows[0].id);
    const done = await actingAs(client, "pas_bot_user", W.psychologist, async () =>
      (await client.query(
        `update app_public.psychologist_reviews
           set emotional_safety_score = 5, therapeutic_correctness_score = 4, age_appropriateness_score = 5, reveal_timing_score = 4,
               status = 'completed', is_approved = true, notes_for_community = 'Warm and safe'
         where id = $1 returning overall_rating, completed_at is not null as completed`, [review])).rows[0]);
    expect(done).toEqual({ overall_rating: 5, completed: true });

    const { rows } = await client.query("select psychologist_reviewed, psychologist_review_id, reviewed_at is not null as dated from app_public.quests where id = $1", [W.publicB]);
    expect(rows[0]).toEqual({ psychologist_reviewed: true, psychologist_review_id: review, dated: true });
    expect(await listing(client, W.parentA)).toEqual([W.publicB]);
  });
});

test("a declined or rejected review keeps the quest out; only a psychologist can be assigned", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const error = await actingAs(client, "pas_bot_user", W.parentB, () =>
      expectError(client, "insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2)", [W.publicB, W.parentA]));
    // A trigger, not a policy calling a function the parent could run on any id (issue 14, item 11).
    expect(error).toMatchObject({ code: "23514", constraint: "psychologist_reviews_assign_only_psychologists" });

    const review = await actingAs(client, "pas_bot_user", W.parentB, async () =>
      (await client.query("insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2) returning id", [W.publicB, W.psychologist])).rows[0].id);
    await actingAs(client, "pas_bot_user", W.psychologist, () =>
      client.query("update app_public.psychologist_reviews set status = 'completed', red_flags = '{\"Pressure on the child\"}' where id = $1", [review]));
    expect(await listing(client, W.parentA)).toEqual([]);
    const approveWithoutScores = await actingAs(client, "pas_bot_user", W.psychologist, () =>
      expectError(client, "update app_public.psychologist_reviews set is_approved = true where id = $1", [review]));
    expect(approveWithoutScores.message).toMatch(/psychologist_reviews_approval_needs_all_scores/);
  });
});

test("one rating per user and quest; a second one is refused by name", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const error = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "insert into app_public.quest_ratings (quest_id, rating) values ($1, 3)", [W.publicB]));
    expect(error.message).toBe('duplicate key value violates unique constraint "quest_ratings_one_per_user_and_quest"');
  });
});
