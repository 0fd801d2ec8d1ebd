// db:seed --scale N loads with triggers off, so it must write what the triggers
// would have derived, and keep every rule the database enforces.
import { withOwnerDb } from "../helpers/db.ts";
import { seedQuietly } from "../helpers/seed.ts";

const SLOW = 120_000;

beforeAll(async () => {
  await seedQuietly(1);
}, SLOW);

test("scale 1 is the seed's capacity: 1,000 users, 10,000 quests, ~100,000 plays and play events", async () => {
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query(`
      select (select count(*) from app_public.users)::int as users, (select count(*) from app_public.quests)::int as quests,
             (select count(*) from app_public.quest_progress)::int as plays, (select count(*) from app_public.child_progress)::int as events`);
    expect(rows[0]).toMatchObject({ users: 1000, quests: 10000 });
    expect(rows[0].plays).toBeGreaterThan(95_000);
    expect(rows[0].events).toBe(rows[0].plays);
  });
});

test("every quest status, moderation status and many consent combinations occur", async () => {
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query(`
      select array(select distinct status::text from app_public.quests order by 1) as statuses,
             array(select distinct moderation_status::text from app_public.quests order by 1) as moderation,
             (select count(distinct (share_progress, share_educational_progress, share_play_frequency, share_quest_details,
                                     share_emotional_state, share_analytics))::int from app_public.child_privacy) as combinations,
             (select count(*)::int from app_public.marketplace_quests()) as marketplace`);
    expect(rows[0]).toMatchObject({
      statuses: ["archived", "deleted", "deployed", "draft"],
      moderation: ["approved", "flagged", "pending", "rejected"],
    });
    expect(rows[0].combinations).toBeGreaterThanOrEqual(32);
    expect(rows[0].marketplace).toBeGreaterThan(500);
  });
});

test("what the triggers derive is there: child_privacy per child, YAML and quest_nodes per graph", async () => {
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query(`
      select (select count(*)::int from app_public.users u where u.kind = 'child'
                and not exists (select 1 from app_public.child_privacy p where p.child_id = u.id)) as children_without_privacy,
             (select count(*)::int from app_public.quests q
                where q.yaml_content is distinct from app_hidden.quest_yaml(q.title, q.graph_structure)) as stale_yaml,
             (select count(*)::int from app_public.quests q
                where jsonb_array_length(q.graph_structure -> 'nodes')
                      <> (select count(*) from app_public.quest_nodes n where n.quest_id = q.id)) as nodes_out_of_step,
             (select count(*)::int from app_public.quests q
                where app_hidden.quest_graph_problem(q.graph_structure) is not null) as broken_graphs`);
    expect(rows[0]).toEqual({ children_without_privacy: 0, stale_yaml: 0, nodes_out_of_step: 0, broken_graphs: 0 });
  });
});

test("no foreign key is broken (they are not checked while triggers are off)", async () => {
  await withOwnerDb(async (owner) => {
    const { rows: keys } = await owner.query(`
      select c.conrelid::regclass::text as child, a.attname as col, c.confrelid::regclass::text as parent, pa.attname as pcol
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
      where c.contype = 'f' and c.connamespace = 'app_public'::regnamespace and cardinality(c.conkey) = 1`);
    expect(keys.length).toBeGreaterThan(30);
    const broken: string[] = [];
    for (const { child, col, parent, pcol } of keys) {
      const { rows } = await owner.query(
        `select count(*)::int as n from ${child} x where x.${col} is not null and not exists (select 1 from ${parent} p where p.${pcol} = x.${col})`,
      );
      if (rows[0].n > 0) broken.push(`${child}.${col} → ${parent}: ${rows[0].n}`);
    }
    expect(broken).toEqual([]);
  });
});

test("seeding twice is refused, and the refused load leaves nothing behind", async () => {
  await expect(seedQuietly(1)).rejects.toThrow(
    /^\[1\/\d+\] check the database holds no synthetic data yet failed, nothing was loaded: This database already holds synthetic data/,
  );
  await withOwnerDb(async (owner) => {
    expect((await owner.query("select count(*)::int as n from app_public.users")).rows[0].n).toBe(1000);
  });
});
