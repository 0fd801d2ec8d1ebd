// docs/graphql.md, executed top to bottom as a reader would: every ```graphql block, in order,
// with the ```json variables right after it, over HTTP with a real token for the actor the doc
// names, against a fresh database holding only the development family (npm run db:seed -- --scale 0).
// The doc's conventions (its "How to read this page"):
// - `**As the parent**` (child, psychologist, admin) on its own line: the blocks that follow run as
//   that member of the family (the parent, psychologist and admin with a pas_bot token, the child
//   with an inner_edu one), until the next such line.
// - A variable written "<Operation: path.to.value>" is that value from the answer of the latest
//   earlier operation of that name (e.g. "<CreateQuest: createQuest.result.id>").
// - A block whose introducing line ends in "fails with `CODE`:" must fail with that
//   extensions.code (and nothing else fails); every other block must succeed.
import { readFile } from "node:fs/promises";
import { FAMILY, seedFamily } from "../../src/tools/seed/family.ts";
import { signAppToken } from "../../src/http/auth.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { ownerUrl, testConfig } from "../helpers/db.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";

const DOC = new URL("../../docs/graphql.md", import.meta.url);

const ACTORS = {
  parent: { app: "pas_bot", id: FAMILY.parent },
  child: { app: "inner_edu", id: FAMILY.child },
  psychologist: { app: "pas_bot", id: FAMILY.psychologist },
  admin: { app: "pas_bot", id: FAMILY.admin },
} as const;
type Actor = keyof typeof ACTORS;

interface DocOperation {
  /** The nearest heading above the block and the operation's name, for messages. */
  where: string;
  name: string;
  actor: Actor;
  document: string;
  variables: Record<string, unknown>;
  /** The extensions.code the doc says this operation fails with. */
  expectedError?: string;
}

const ACTOR_LINE = /^\*\*As the (\w+)\*\*/;
const EXPECTED_ERROR = /fails with `([A-Z_]+)`:$/;
const PLACEHOLDER = /^<(\w+): ([\w.[\]]+)>$/;

/** Every ```graphql block of the page, in order; throws on a block the conventions cannot run. */
function parseOperations(markdown: string): DocOperation[] {
  const lines = markdown.split("\n");
  const operations: DocOperation[] = [];
  let heading = "(top)";
  let actor: Actor | undefined;
  let lastText = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    const actorMatch = ACTOR_LINE.exec(line);
    if (actorMatch) {
      if (!(actorMatch[1]! in ACTORS)) throw new Error(`"${line}": no such actor (one of ${Object.keys(ACTORS).join(", ")})`);
      actor = actorMatch[1] as Actor;
    }
    if (line.startsWith("```json")) throw new Error(`${heading}: a json block (line ${i + 1}) that follows no graphql block`);
    if (/^\s*```\s*graphql/i.test(line) && line !== "```graphql") throw new Error(`${heading}: write "\`\`\`graphql" alone at line ${i + 1}, or the block is not run`);
    if (line.startsWith("```") && line !== "```graphql") {
      i = closingFence(lines, i); // sh and other blocks are for humans
      lastText = "";
      continue;
    }
    if (line !== "```graphql") {
      if (line.trim() !== "") lastText = line.trim();
      continue;
    }
    const end = closingFence(lines, i);
    const document = lines.slice(i + 1, end).join("\n");
    const names = [...document.matchAll(/^(?:query|mutation|subscription)\s+(\w+)/gm)].map((m) => m[1]!);
    if (names.length !== 1) throw new Error(`${heading}: each graphql block holds exactly one named operation (line ${i + 1})`);
    if (!actor) throw new Error(`${heading} → ${names[0]}: no "**As the …**" line above it`);
    i = end;
    let variables: Record<string, unknown> = {};
    let next = i + 1;
    while (lines[next]?.trim() === "") next++;
    if (lines[next] === "```json") {
      const close = closingFence(lines, next);
      variables = JSON.parse(lines.slice(next + 1, close).join("\n"));
      i = close;
    }
    operations.push({
      where: `${heading} → ${names[0]} (as the ${actor})`,
      name: names[0]!,
      actor,
      document,
      variables,
      expectedError: EXPECTED_ERROR.exec(lastText)?.[1],
    });
    lastText = "";
  }
  return operations;
}

function closingFence(lines: string[], open: number): number {
  const close = lines.findIndex((l, j) => j > open && l === "```");
  if (close < 0) throw new Error(`an unclosed code block at line ${open + 1}`);
  return close;
}

/** The variables with every "<Operation: path>" replaced by that value from the earlier answers. */
function resolve(value: unknown, answers: Map<string, unknown>, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, answers, where));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, answers, where)]));
  }
  const match = typeof value === "string" ? PLACEHOLDER.exec(value) : null;
  if (!match) return value;
  const [, operation, path] = match;
  if (!answers.has(operation!)) throw new Error(`${where}: "${value}" names ${operation}, which has not run before it`);
  let found = answers.get(operation!);
  for (const key of path!.split(/[.[\]]+/).filter(Boolean)) found = (found as Record<string, unknown> | undefined)?.[key];
  if (found === undefined || found === null) throw new Error(`${where}: "${value}" is not in ${operation}'s answer: ${JSON.stringify(answers.get(operation!))}`);
  return found;
}

/**
 * Runs the operations in order, each with a fresh token for its actor; returns what went wrong, one
 * line per operation naming its heading, name and actor, with the GraphQL errors. All of them run:
 * the first failure may explain the ones after it.
 */
async function walk(server: TestServer, operations: DocOperation[]): Promise<string[]> {
  const answers = new Map<string, unknown>();
  const failures: string[] = [];
  for (const op of operations) {
    const token = signAppToken(ACTORS[op.actor].app, ACTORS[op.actor].id, server.secrets);
    let variables: Record<string, unknown>;
    try {
      variables = resolve(op.variables, answers, op.where) as Record<string, unknown>;
    } catch (e) {
      failures.push((e as Error).message);
      continue;
    }
    const { body } = await graphql(server, op.document, { token, variables });
    const codes: unknown[] = (body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
    if (op.expectedError) {
      if (codes.length === 0 || codes.some((c) => c !== op.expectedError)) {
        failures.push(`${op.where}: expected ${op.expectedError}, got ${JSON.stringify(body)}`);
      }
    } else if (body.errors) {
      failures.push(`${op.where}: ${JSON.stringify(body.errors)}`);
    } else {
      answers.set(op.name, body.data);
    }
  }
  return failures;
}

test("docs/graphql.md runs top to bottom, as written, against the development family, and again", async () => {
  const markdown = await readFile(DOC, "utf8");
  const operations = parseOperations(markdown);
  expect(operations.length).toBeGreaterThan(20);
  // The page's token commands are for the users the walk acts as.
  for (const { app, id } of Object.values(ACTORS)) expect(markdown).toContain(`token -- --app ${app} --user ${id}`);
  await seedFamily(ownerUrl, masterKeys(testConfig()));
  const server = await startTestServer();
  try {
    expect(await walk(server, operations)).toEqual([]);
    // A reader walks it again on the same database: nothing the first walk made gets in the way,
    // up to the erasure (Anna's is confirmed already, so asking again is refused, as it should be).
    const erasure = operations.findIndex((op) => op.name === "AskForErasure");
    expect(erasure).toBeGreaterThan(0);
    expect(await walk(server, operations.slice(0, erasure))).toEqual([]);
  } finally {
    await server.close();
  }
  // About 50 requests per walk, some of them writes with triggers and jobs: a busy machine needs more than the default.
}, 120_000);

test("a block the conventions cannot run stops the test instead of being skipped", () => {
  const block = (op: string) => "```graphql\n" + op + "\n```\n";
  const refused = {
    "no actor": block("query A { currentUserId }"),
    "two operations": "**As the parent**\n" + block("query A { currentUserId }\nquery B { currentUserId }"),
    "an unnamed one": "**As the parent**\n" + block("{ currentUserId }"),
    "an unknown actor": "**As the neighbour**\n" + block("query A { currentUserId }"),
    "a fence with more after graphql": "**As the parent**\n```graphql title\nquery A { currentUserId }\n```\n",
    "an indented fence": "**As the parent**\n  ```graphql\n  query A { currentUserId }\n  ```\n",
    "variables under no operation": "**As the parent**\n```json\n{}\n```\n",
  };
  const accepted = Object.entries(refused).filter(([, markdown]) => {
    try {
      parseOperations(markdown);
      return true;
    } catch {
      return false;
    }
  });
  expect(accepted.map(([what]) => what)).toEqual([]);

  const [read, stale] = parseOperations(
    "**As the child**\n" + block("query A { currentUserId }") + "\n```json\n{ \"x\": \"<B: b.list[1].id>\" }\n```\n\nIt fails with `STALE_VERSION`:\n\n" + block("query C { currentUserId }"),
  );
  expect(read).toMatchObject({ name: "A", actor: "child", variables: { x: "<B: b.list[1].id>" }, expectedError: undefined });
  expect(stale).toMatchObject({ name: "C", actor: "child", expectedError: "STALE_VERSION" });
  expect(resolve(read!.variables, new Map([["B", { b: { list: [{ id: 1 }, { id: 2 }] } }]]), "here")).toEqual({ x: 2 });
  expect(() => resolve(read!.variables, new Map(), "here")).toThrow("names B, which has not run before it");
});
