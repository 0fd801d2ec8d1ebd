// Property (issue 14, item 3): a parent who controls four of the five children in
// a group cannot recover the fifth child's figures from the release, however often
// and whenever he asks.
//
// The attacker authors a public quest and plays it with 4 fake child accounts, each
// linked to a fake parent (so they count: they look like real families), with figures
// he knows. One real child, who shares everything, plays it too, with secret figures
// drawn at random per trial. Windows (UTC days) are simulated through
// app_private.release_quest_figures' time parameter. The attacker reads before the
// child plays, right after (same window), and once in each of 4 later windows; he
// subtracts his fakes' known figures from the mean of what he read.
//
// What the release guarantees (epsilon 0.1 per figure; docs/privacy.md), per trial:
// - XP: avg_xp_earned = clamp(round((S + L) / n', 2), 0, 1000) with S the capped XP sum,
//   L ~ Laplace(b = 1000 / 0.1 = 10000), n' = max(5 + G, 5), G two-sided geometric
//   (alpha = e^-0.1). The estimate 5 * avg - F is within m = 250 of the child's XP only
//   if avg falls in an interval of width 2m/5 + 0.01 (rounding) that lies inside
//   (0, 1000) (the child's XP is in [200, 800], the fakes' 500 each), so clamping
//   cannot help; given n', avg has a density of at most n' / (2b). Hence
//   P(within m) <= E[n'] * 100.01 / 20000, and E[n'] = 5 + alpha / (1 - alpha^2) = 9.99:
//   P(off by >= 250 XP) >= 0.95.
// - Minutes: total_time_minutes = max(round(S + L, 2), 0), L ~ Laplace(600 / 0.1 = 6000);
//   the child's minutes are in [30, 300], the fakes' 60 each, so S - 60 > 0 and
//   P(within m = 60) <= (2 * 60 + 0.01) / (2 * 6000): P(off by >= 60 min) >= 0.99.
// - Completion (a fair coin per trial): only total_completions (a count) and the sum
//   behind avg_completion_time depend on it (the child's other figures are the same
//   either way), 2 figures, epsilon 0.2; an epsilon-DP release lets no guess be right
//   with probability above e^0.2 / (1 + e^0.2): P(wrong guess) >= 0.4502.
// Trials N = 60, independent (each rolls back to a savepoint: fresh noise). The test
// fails when fewer than 46 XP estimates, 53 minute estimates or 9 completion guesses
// are off; for each, P(Binomial(60, p) < threshold) < 2e-7 (exact binomial sums:
// 1.9e-7, 1.6e-7, 1.6e-7), so a false failure has probability below 1e-6 in all.
// Against exact figures (the old release) every estimate is exact: all three fail.
import type pg from "pg";
import { actingAs, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

const TRIALS = 60;
const FAKES = 4;
const FAKE_XP = 500;
const FAKE_MINUTES = 60;
const FAKE_COMPLETIONS = 2; // of the 4 fakes
const XP_MARGIN = 250;
const MINUTES_MARGIN = 60;

const ALL_FLAGS = "share_progress = true, share_play_frequency = true, share_educational_progress = true, share_analytics = true";

async function play(client: pg.ClientBase, child: string, quest: string, figures: { xp: number; minutes: number; completed: boolean }) {
  await client.query(
    `insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, completion_percentage, completed,
       started_at, completed_at, xp_earned, session_count, total_time_minutes)
     values ($1, $2, 3, 3, 100, $3, now() - interval '1 hour', case when $3 then now() - interval '50 minutes' end, $4, 1, $5)`,
    [child, quest, figures.completed, figures.xp, figures.minutes],
  );
}

/** A child linked to a parent of their own, sharing everything. */
async function childWithFamily(client: pg.ClientBase): Promise<TestUser> {
  const child = await createUser(client, "child");
  await linkFamily(client, await createUser(client, "parent"), child);
  await client.query(`update app_public.child_privacy set ${ALL_FLAGS} where child_id = $1`, [child.id]);
  return child;
}

const uniform = (low: number, high: number) => low + Math.random() * (high - low);

test("an attacker with four fake children, asking repeatedly and around the child's play, does not learn the child's figures", async () => {
  await withRootDb(async (client) => {
    const attacker = await createUser(client, "parent");
    const quest = (await createQuest(client, attacker, { is_public: true, moderation_status: "approved" })).id;
    for (let i = 0; i < FAKES; i++) {
      const fake = await childWithFamily(client);
      await play(client, fake.id, quest, { xp: FAKE_XP, minutes: FAKE_MINUTES, completed: i < FAKE_COMPLETIONS });
    }
    const child = await childWithFamily(client);
    const read = () =>
      actingAs(client, "pas_bot_user", attacker.id, async () =>
        (await client.query("select (app_public.get_quest_analytics($1)).*", [quest])).rows[0]);
    const release = (day: number) => client.query("select app_private.release_quest_figures($1, now() + make_interval(days => $2))", [quest, day]);

    let xpOff = 0;
    let minutesOff = 0;
    let completionWrong = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      await client.query("savepoint trial");
      const secret = { xp: Math.round(uniform(200, 800)), minutes: Math.round(uniform(30, 300)), completed: Math.random() < 0.5 };

      await release(0);
      const before = await read();
      expect(before.consent_status).toBe("too_few_children");
      await play(client, child.id, quest, secret);
      // Right after the play, in the same window: nothing to subtract.
      expect(await read()).toEqual(before);

      const seen: Array<Record<string, unknown>> = [];
      for (let day = 1; day <= 4; day++) {
        await release(day);
        seen.push(await read());
      }
      expect(seen.every((row) => row.consent_status === "consented")).toBe(true);
      const mean = (figure: string) => seen.reduce((sum, row) => sum + Number(row[figure]), 0) / seen.length;

      const xpEstimate = (FAKES + 1) * mean("avg_xp_earned") - FAKES * FAKE_XP;
      const minutesEstimate = mean("total_time_minutes") - FAKES * FAKE_MINUTES;
      const completedGuess = mean("total_completions") - FAKE_COMPLETIONS >= 0.5;
      if (Math.abs(xpEstimate - secret.xp) >= XP_MARGIN) xpOff++;
      if (Math.abs(minutesEstimate - secret.minutes) >= MINUTES_MARGIN) minutesOff++;
      if (completedGuess !== secret.completed) completionWrong++;
      await client.query("rollback to savepoint trial");
    }
    expect(xpOff).toBeGreaterThanOrEqual(46);
    expect(minutesOff).toBeGreaterThanOrEqual(53);
    expect(completionWrong).toBeGreaterThanOrEqual(9);
  });
}, 120_000);
