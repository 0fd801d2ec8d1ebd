// The operations `npm run bench` loads: both apps' hot paths as the apps send
// them over GraphQL, each with the direct SQL a hand-written service would run
// for the same read (db:explain's hot queries), and the actors they run as.
import { type Family, HOT_QUERIES } from "../tools/explain.ts";

export interface Actor {
  userId: string;
  /** The operation's GraphQL variables for this actor. */
  variables: Record<string, unknown>;
  /** The same read as direct SQL parameters (reads only). */
  sqlParams?: unknown[];
}

export interface Operation {
  name: string;
  app: "pas_bot" | "inner_edu";
  write: boolean;
  query: string;
  /** db:explain's hot query with the same meaning, for the direct-SQL floor (reads). */
  sql?: string;
  /** Its share of the mixed load, in requests per 100. */
  mixWeight: number;
}

const GRAPH = { nodes: [{ id: "a", type: "story" }, { id: "b", type: "reveal" }], edges: [{ source: "a", target: "b" }] };
const sqlOf = (name: string) => HOT_QUERIES.find((q) => q.name === name)!.sql;

// The mixed load's weights: a child at play sends progress at every node, an
// achievement now and then, and opens the quest list; parents read far more
// than they write, and create a quest rarely. Writes are 35 of every 100.
export const OPERATIONS: Operation[] = [
  {
    name: "parent: my quests page",
    mixWeight: 15,
    app: "pas_bot",
    write: false,
    query: `query ($me: UUID!) { quests(condition: { authorId: $me }, orderBy: CREATED_AT_DESC, first: 20) {
      nodes { id title status moderationStatus } } }`,
    sql: sqlOf("parent: my quests page"),
  },
  {
    name: "parent: a quest with its nodes",
    mixWeight: 15,
    app: "pas_bot",
    write: false,
    query: `query ($quest: UUID!) { quest(id: $quest) { id title graphStructure
      questNodes(orderBy: POSITION_ASC) { nodes { nodeKey nodeType data } } } }`,
    sql: sqlOf("parent: a quest with its nodes"),
  },
  {
    name: "parent: get_quest_analytics",
    mixWeight: 10,
    app: "pas_bot",
    write: false,
    query: `query ($quest: UUID!) { getQuestAnalytics(questId: $quest) { consentStatus totalStarts totalCompletions playCount lastPlayed } }`,
    sql: sqlOf("parent: get_quest_analytics"),
  },
  {
    name: "marketplace: browse by rating",
    mixWeight: 15,
    app: "pas_bot",
    write: false,
    query: `{ marketplaceQuests(orderBy: [RATING_DESC, PLAYS_COUNT_DESC], first: 20) { nodes { id title rating playsCount } } }`,
    sql: sqlOf("marketplace: browse by rating"),
  },
  {
    name: "child: my deployed quests",
    mixWeight: 10,
    app: "inner_edu",
    write: false,
    query: `query ($me: UUID!) { quests(condition: { childId: $me, status: deployed }, first: 50) { nodes { id title } } }`,
    sql: sqlOf("child: my deployed quests"),
  },
  {
    name: "parent: create_quest",
    mixWeight: 3,
    app: "pas_bot",
    write: true,
    query: `mutation ($child: UUID!, $graph: JSON!) { createQuest(input: { title: "Bench quest", graphStructure: $graph, childId: $child }) { result { id } } }`,
  },
  {
    name: "child: update_quest_progress",
    mixWeight: 25,
    app: "inner_edu",
    write: true,
    query: `mutation ($quest: UUID!) { updateQuestProgress(input: { questId: $quest, nodesCompleted: 1, minutesPlayed: 1 }) { result { sessionCount } } }`,
  },
  {
    name: "child: record_achievement",
    mixWeight: 7,
    app: "inner_edu",
    write: true,
    query: `mutation ($quest: UUID!) { recordAchievement(input: { questId: $quest, achievementType: "bench", title: "Bench" }) { result { id } } }`,
  },
];

/**
 * Light operations with no table read: the cost of the request path itself (HTTP, JWT, GraphQL, one
 * transaction with its settings). Not part of the default run nor of the mixed load (weight 0): chosen
 * with `--operations` and by `--ceiling`, which prints them next to a bare node:http server's figures.
 */
export const LIGHT_OPERATIONS: Operation[] = [
  { name: "{ __typename }", mixWeight: 0, app: "pas_bot", write: false, query: "{ __typename }" },
  { name: "currentUserId", mixWeight: 0, app: "pas_bot", write: false, query: "{ currentUserId }" },
];

export function actorsFor(operation: Operation, families: Family[]): Actor[] {
  return families.map(({ parent, child, quest }) => {
    switch (operation.name) {
      case "parent: my quests page":
        return { userId: parent, variables: { me: parent }, sqlParams: [parent] };
      case "parent: a quest with its nodes":
      case "parent: get_quest_analytics":
        return { userId: parent, variables: { quest }, sqlParams: [quest] };
      case "marketplace: browse by rating":
      case "{ __typename }":
      case "currentUserId":
        return { userId: parent, variables: {}, sqlParams: [] };
      case "child: my deployed quests":
        return { userId: child, variables: { me: child }, sqlParams: [child] };
      case "parent: create_quest":
        return { userId: parent, variables: { child, graph: GRAPH } };
      default:
        return { userId: child, variables: { quest } };
    }
  });
}
