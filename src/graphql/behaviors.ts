// Every per-table GraphQL behavior in one place (PostGraphile smart tags).
// Aggregates are off by default (preset.ts) and on only where listed here.
import { jsonPgSmartTags } from "postgraphile/utils";

/** Sums, averages, extremes and counts, overall and grouped; no spread statistics, no `having`. */
const DASHBOARD_AGGREGATES = [
  "+aggregates +groupedAggregates",
  "-stddevSample:resource:aggregates -stddevPopulation:resource:aggregates",
  "-varianceSample:resource:aggregates -variancePopulation:resource:aggregates",
].join(" ");

export const BehaviorsPlugin = jsonPgSmartTags(
  {
    version: 1,
    config: {
      class: {
        // Quests are created through create_quest (its project, track and milestones come with it).
        "app_public.quests": {
          tags: { behavior: "-insert" },
          attribute: {
            // Marketplace sorting; served by the partial index quests_marketplace_idx.
            rating: { tags: { behavior: "+orderBy" } },
            plays_count: { tags: { behavior: "+orderBy" } },
            // The child's app lists its own quests (partial index quests_child_id_idx).
            child_id: { tags: { behavior: "+filterBy" } },
          },
        },
        // The child's progress is written through update_quest_progress (one session per call, notifications).
        "app_public.quest_progress": { tags: { behavior: "-insert -update" } },
        // Aggregates only on the parent's own dashboard tables: RLS filters the rows
        // before aggregation, so a figure never mixes in anyone else's data. Each
        // opts in the columns worth summing (+aggregate) and grouping by (+groupBy).
        "app_public.user_tracks": {
          tags: { behavior: DASHBOARD_AGGREGATES },
          attribute: {
            track_type: { tags: { behavior: "+groupBy" } },
            current_phase: { tags: { behavior: "+groupBy" } },
            completion_percentage: { tags: { behavior: "+aggregate" } },
            total_actions: { tags: { behavior: "+aggregate" } },
            completed_activities: { tags: { behavior: "+aggregate" } },
          },
        },
        "app_public.goals": {
          tags: { behavior: DASHBOARD_AGGREGATES },
          attribute: {
            // distinctCount of id is the row count of a group.
            id: { tags: { behavior: "+aggregate" } },
            status: { tags: { behavior: "+groupBy" } },
            track_type: { tags: { behavior: "+groupBy +orderBy" } },
            progress: { tags: { behavior: "+aggregate" } },
          },
        },
        "app_public.metrics_snapshots": {
          tags: { behavior: DASHBOARD_AGGREGATES },
          attribute: {
            snapshot_date: { tags: { behavior: "+groupBy" } },
            mood_average: { tags: { behavior: "+aggregate" } },
            sessions_count: { tags: { behavior: "+aggregate" } },
            messages_count: { tags: { behavior: "+aggregate" } },
            letters_written: { tags: { behavior: "+aggregate" } },
            goals_completed: { tags: { behavior: "+aggregate" } },
            quests_created: { tags: { behavior: "+aggregate" } },
          },
        },
        // The parent's own ratings (the marketplace shows each quest's rating and count on the quest).
        "app_public.quest_ratings": {
          tags: { behavior: DASHBOARD_AGGREGATES },
          attribute: {
            id: { tags: { behavior: "+aggregate" } },
            rating: { tags: { behavior: "+groupBy +orderBy +aggregate" } },
          },
        },
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
