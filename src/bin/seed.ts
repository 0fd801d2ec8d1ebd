// npm run db:seed -- --scale N
//   --scale 0: one believable family for development (re-running changes nothing);
//   --scale N (1 to 1000): synthetic data at N × the seed's capacity (1,000 users,
//   10,000 quests, 100,000 play records and as many play events per unit).
import { parseArgs } from "node:util";
import { appDatabaseAsSuperuser, loadConfig } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { familySummary, seedFamily } from "../tools/seed/family.ts";
import { MAX_SCALE, seedSynthetic } from "../tools/seed/synthetic.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";

const usage = `usage: npm run db:seed -- --scale N   (0: one development family; 1 to ${MAX_SCALE}: synthetic data at N × the seed's capacity)`;

function parseScale(): number {
  let scale: string | undefined;
  try {
    ({ values: { scale } } = parseArgs({ options: { scale: { type: "string" } } }));
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${usage}`);
  }
  const n = Number(scale);
  if (scale === undefined || !/^\d+$/.test(scale) || n > MAX_SCALE) {
    throw new UserError(`--scale ${scale ?? "(missing)"}: expected a whole number from 0 to ${MAX_SCALE}.\n${usage}`);
  }
  return n;
}

runCommand(async (lifecycle) => {
  const scale = parseScale();
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  await migrateDatabase(config, () => {});
  if (scale === 0) {
    await seedFamily(config.ownerUrl, masterKeys(config));
    console.log(familySummary());
    return;
  }
  const superuserUrl = appDatabaseAsSuperuser(config, "db:seed --scale N loads with triggers off");
  console.log(`Seeding synthetic data at scale ${scale} (${scale * 1000} users, ${scale * 10000} quests, ~${scale * 100000} plays):`);
  const counts = await seedSynthetic(superuserUrl, scale, masterKeys(config));
  console.log(
    `Done in ${counts.seconds.toFixed(1)} s: ${counts.users} users, ${counts.quests} quests, ${counts.progress} progress rows, ` +
      `${counts.events} play events. The worker computes the quests' analytics on its next run (refresh_all_quest_analytics is queued).`,
  );
}, "one-shot");
