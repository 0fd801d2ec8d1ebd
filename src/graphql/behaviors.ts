// Every per-table GraphQL behavior in one place (PostGraphile smart tags).
// Aggregates are off by default (preset.ts) and on only where listed here.
import { jsonPgSmartTags } from "postgraphile/utils";

export const BehaviorsPlugin = jsonPgSmartTags(
  {
    version: 1,
    config: {
      class: {
        // Quests are created through create_quest (its project, track and milestones come with it).
        "app_public.quests": {
          tags: { behavior: "-insert" },
          // Marketplace sorting; served by the partial index quests_marketplace_idx.
          attribute: { rating: { tags: { behavior: "+orderBy" } }, plays_count: { tags: { behavior: "+orderBy" } } },
        },
        // The child's progress is written through update_quest_progress (one session per call, notifications).
        "app_public.quest_progress": { tags: { behavior: "-insert -update" } },
      },
      procedure: {
        // The marketplace is browsed by rating and plays.
        "app_public.marketplace_quests": { tags: { behavior: "+order" } },
      },
    },
  },
  null,
  { name: "BehaviorsPlugin", description: "Per-table GraphQL behaviors of this project." },
);
