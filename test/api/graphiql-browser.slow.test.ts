// GraphiQL as a developer meets it: `npm run dev:tokens`, then GraphiQL (ruru) in Debian's chromium
// driven by playwright-core (which never downloads a browser): paste the header, reload, run a
// query, open the Docs. Every request the page makes must stay on this machine (GraphiQL works
// offline). Without /usr/bin/chromium the browser test reports a skip; CI installs it.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { FAMILY } from "../../src/tools/seed/family.ts";
import { verifyAppToken } from "../../src/http/auth.ts";
import { startTestServer, type TestServer } from "../helpers/http.ts";
import { spawnNpm, until } from "../helpers/process.ts";
import { testIf } from "../helpers/server.ts";

const CHROMIUM = "/usr/bin/chromium";

let server: TestServer;
let dataDir: string;
/** What `npm run dev:tokens` printed, and its exit code. */
let printed: { code: number | null; output: string };

beforeAll(async () => {
  server = await startTestServer();
  // dev:tokens reads the JWT secrets as `npm start` would: here the run's, from the environment.
  dataDir = await mkdtemp(path.join(tmpdir(), "dev-tokens-"));
  printed = await devTokens();
});
afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** `npm run -s dev:tokens` with the test run's secrets; its exit code and everything it printed. */
async function devTokens(extraEnv: NodeJS.ProcessEnv = {}) {
  const run = spawnNpm(["run", "-s", "dev:tokens"], { ...process.env, DATA_DIR: dataDir, ...extraEnv });
  const code = await run.exited;
  return { code, output: run.output() };
}

/** Each member's line and the header under it: `parent  <uuid>  (pas_bot)` / `  {"Authorization":"Bearer …"}`. */
function membersIn(output: string) {
  const members = [...output.matchAll(/^(\w+) +([0-9a-f-]{36}) +\((\w+)\)\n +(\{.*\})$/gm)];
  return members.map(([, kind, id, app, header]) => ({ kind, id, app, header: header! }));
}

describe("npm run dev:tokens", () => {
  test("prints, for every member of the development family, the header GraphiQL takes, signed by the member's app", async () => {
    const { code, output } = printed;
    expect(code).toBe(0);
    const members = membersIn(output);
    expect(members.map((m) => [m.kind, m.id])).toEqual(Object.entries(FAMILY));
    for (const member of members) {
      const { Authorization } = JSON.parse(member.header) as { Authorization: string };
      const identity = verifyAppToken(Authorization.replace(/^Bearer /, ""), server.secrets);
      expect(identity).toMatchObject({ app: member.kind === "child" ? "inner_edu" : "pas_bot", userId: member.id });
      expect(member.app).toBe(identity.app);
    }
    expect(output).toMatch(/\/graphiql\b/);
  });

  test("refuses in production, in one line", async () => {
    const { code, output } = await devTokens({ NODE_ENV: "production" });
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([expect.stringMatching(/development only/)]);
  });
});

/** Monaco takes a paste as one input: the text lands as given, with no auto-closed brackets. */
async function replaceEditorText(page: Page, editor: Locator, text: string) {
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
}

testIf(existsSync(CHROMIUM), `no ${CHROMIUM}`)(
  "GraphiQL: a pasted token survives a reload, runs a query, and the Docs list Query; nothing loads from elsewhere",
  async () => {
    const parent = membersIn(printed.output).find((m) => m.kind === "parent")!;
    const userDataDir = await mkdtemp(path.join(tmpdir(), "chromium-"));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      const requested: string[] = [];
      context.on("request", (request) => requested.push(request.url()));
      const page = context.pages()[0] ?? (await context.newPage());

      await page.goto(`${server.url}/graphiql`);
      await page.getByRole("button", { name: "Headers" }).click();
      await replaceEditorText(page, page.getByRole("region", { name: "Headers" }).getByRole("code"), parent.header);
      // What is kept is what GraphiQL wrote to localStorage, not the live editor.
      const token = JSON.parse(parent.header).Authorization.replace(/^Bearer /, "");
      await until("GraphiQL to store the header", () => page.evaluate((t) => JSON.stringify(localStorage).includes(t), token), { timeoutMs: 20_000 });

      await page.reload();
      await replaceEditorText(page, page.locator(".graphiql-query-editor .monaco-editor"), "{ currentUserId }");
      await page.locator(".graphiql-execute-button").click();
      const response = page.locator(".graphiql-response");
      // Monaco renders spaces as no-break spaces.
      const shown = async () => (await response.innerText()).replace(/\s+/g, " ");
      await until("the query's result", async () => (await shown()).includes(`"currentUserId": "${parent.id}"`), {
        timeoutMs: 20_000,
      });

      await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
      const docs = page.locator(".graphiql-doc-explorer");
      // The root types are listed once the schema is in; on a failed introspection the panel says "Error fetching schema".
      await until("the Docs to list Query", async () => /\bquery: Query\b/.test(await docs.innerText()), { timeoutMs: 20_000 }).catch(async (e) => {
        throw new Error(`${e.message}; the Docs panel shows: ${await docs.innerText()}`);
      });

      const elsewhere = requested.filter((url) => !/^(data|blob):/.test(url) && !["127.0.0.1", "localhost"].includes(new URL(url).hostname));
      expect(elsewhere).toEqual([]);
      expect(requested.length).toBeGreaterThan(1);
    } finally {
      await context?.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  },
  // A browser's start and GraphiQL's bundle (~20 s on a busy 2-core machine) outlast the default 30 s.
  90_000,
);
