// What a long-running command (npm start, npm run worker) does with an unhandled rejection (src/lifecycle.ts):
// a lost database connection under a write nobody awaited (graphile-worker's completeJob during a PostgreSQL
// restart, found by issue 18's second break-this review) is logged and the service goes on; anything else is fatal.
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../../src/config.ts";

function runFixture(kind: "database" | "bug"): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "test/ops/fixtures/unhandled-rejection.ts"), kind], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

test("a lost database connection under a background write is logged, and the service goes on", async () => {
  const { code, output } = await runFixture("database");
  expect(output).toContain("A background database write was lost with its connection (terminating connection due to administrator command); carrying on.");
  expect(output).toContain("still running");
  expect(code).toBe(0);
}, 60_000);

test("any other unhandled rejection stops the service", async () => {
  const { code, output } = await runFixture("bug");
  expect(output).toContain("Fatal error: TypeError: Cannot read properties of undefined (reading 'id')");
  expect(output).not.toContain("still running");
  expect(code).toBe(1);
}, 60_000);
