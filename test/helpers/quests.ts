// A small well-formed quest graph, and a quest made from it, for tests.
import type pg from "pg";
import type { TestUser } from "./fixtures.ts";

export const SMALL_GRAPH = {
  nodes: [
    { id: "start", type: "story", data: { text: "Hello" } },
    { id: "riddle", type: "question", data: { text: "2 + 2?" } },
    { id: "reveal", type: "reveal", data: {} },
  ],
  edges: [
    { id: "e1", source: "start", target: "riddle" },
    { id: "e2", source: "riddle", target: "reveal", label: "solved" },
  ],
};

export async function createQuest(
  client: pg.ClientBase,
  author: TestUser,
  fields: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const columns = { author_id: author.id, title: "The tower", graph_structure: SMALL_GRAPH, ...fields };
  const names = Object.keys(columns);
  const { rows } = await client.query(
    `insert into app_public.quests (${names.join(", ")}) values (${names.map((_, i) => `$${i + 1}`).join(", ")}) returning id`,
    Object.values(columns).map((v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? JSON.stringify(v) : v)),
  );
  return rows[0];
}
