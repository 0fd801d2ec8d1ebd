// Property: over random families, quests, play and consent, whatever the parent
// role asks, it never receives a figure the child did not consent to share, nor
// anything about another family's child; and a revoke hides everything at once.
import fc from "fast-check";
import type pg from "pg";
import { becomeRoot, becomeUser, withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

const TYPES = ["progress", "educational_progress", "play_frequency", "quest_details", "emotional_state", "analytics"] as const;
type Flags = Record<(typeof TYPES)[number], boolean>;

const flagsArb: fc.Arbitrary<Flags> = fc.record(Object.fromEntries(TYPES.map((t) => [t, fc.boolean()])) as Record<keyof Flags, fc.Arbitrary<boolean>>);
const childArb = fc.record({
  defaults: flagsArb,
  override: fc.option(flagsArb, { nil: undefined }),
  plays: fc.boolean(),
  completed: fc.boolean(),
  xp: fc.nat(1000),
});
type ChildSpec = typeof childArb extends fc.Arbitrary<infer T> ? T : never;
const worldArb = fc.record({ mine: fc.array(childArb, { minLength: 1, maxLength: 3 }), others: fc.array(childArb, { minLength: 1, maxLength: 2 }) });

const setFlags = (flags: Flags) => TYPES.map((t) => `share_${t} = ${flags[t]}`).join(", ");

/** Figures of get_quest_analytics by the consent that opens them. */
const FIGURES: Record<string, (typeof TYPES)[number]> = {
  total_starts: "progress", total_completions: "progress", completion_rate: "progress", avg_completion_time: "progress",
  nodes_completed: "progress", completion_percentage: "progress", last_played: "play_frequency", play_count: "play_frequency",
  total_time_minutes: "play_frequency", educational_progress: "educational_progress", avg_xp_earned: "analytics", reveal_view_rate: "analytics",
};

async function family(client: pg.ClientBase, children: ChildSpec[]) {
  const parent = await createUser(client, "parent");
  const made = [];
  for (const spec of children) {
    const child = await createUser(client, "child");
    await client.query("insert into app_public.family_links (parent_id, child_id) values ($1, $2)", [parent.id, child.id]);
    const quest = await createQuest(client, parent, { child_id: child.id });
    await client.query(`update app_public.child_privacy set ${setFlags(spec.defaults)} where child_id = $1`, [child.id]);
    if (spec.override) {
      await client.query(`insert into app_public.quest_privacy (child_id, quest_id) values ($1, $2)`, [child.id, quest.id]);
      await client.query(`update app_public.quest_privacy set ${setFlags(spec.override)} where child_id = $1`, [child.id]);
    }
    if (spec.plays) {
      await client.query(
        `insert into app_public.quest_progress (child_id, quest_id, xp_earned, completed, completed_at, educational_progress, last_played_at)
         values ($1, $2, $3, $4, case when $4 then now() end, '{"reading": 1}', now())`,
        [child.id, quest.id, spec.xp, spec.completed],
      );
    }
    made.push({ child: child.id, quest: quest.id, consent: spec.override ?? spec.defaults });
  }
  return { parent: parent.id, children: made };
}

test("the parent role never receives a non-consented figure or another family's data; a revoke hides at once", async () => {
  await fc.assert(
    fc.asyncProperty(worldArb, async (spec) => {
      await withRootDb(async (client) => {
        const mine = await family(client, spec.mine);
        const others = await family(client, spec.others);

        await becomeUser(client, "pas_bot_user", mine.parent);
        for (const { child, quest, consent } of mine.children) {
          for (const type of TYPES) {
            const { rows } = await client.query("select app_public.can_share_with_parent($1, $2, $3) as ok", [child, type, quest]);
            expect(rows[0].ok).toBe(consent[type]);
          }
          const { rows: [figures] } = await client.query("select (app_public.get_quest_analytics($1)).*", [quest]);
          for (const [figure, type] of Object.entries(FIGURES)) {
            if (!consent[type]) expect(figures[figure]).toBeNull();
          }
        }
        for (const { child, quest } of others.children) {
          for (const type of TYPES) {
            const { rows } = await client.query("select app_public.can_share_with_parent($1, $2, $3) as ok", [child, type, quest]);
            expect(rows[0].ok).toBe(false);
          }
          const { rows: [figures] } = await client.query("select (app_public.get_quest_analytics($1)).*", [quest]);
          expect(figures.consent_status).toBe("not_found");
          expect(Object.keys(FIGURES).filter((f) => figures[f] !== null)).toEqual([]);
        }
        const { rows: seen } = await client.query("select count(*)::int as n from app_public.child_privacy");
        expect(seen[0].n).toBe(mine.children.length);

        // Every child revokes everything: nothing of it is visible in the same transaction.
        for (const { child } of mine.children) {
          await becomeUser(client, "inner_edu_user", child);
          const none = setFlags(Object.fromEntries(TYPES.map((t) => [t, false])) as Flags);
          await client.query(`update app_public.child_privacy set ${none}`);
          await client.query(`update app_public.quest_privacy set ${none}`);
        }
        await becomeUser(client, "pas_bot_user", mine.parent);
        for (const { quest } of mine.children) {
          const { rows: [figures] } = await client.query("select (app_public.get_quest_analytics($1)).*", [quest]);
          expect(figures.consent_status).toBe("not_consented");
          expect(Object.keys(FIGURES).filter((f) => figures[f] !== null)).toEqual([]);
        }
        await becomeRoot(client);
      });
    }),
    { numRuns: 40 },
  );
}, 120_000);
