// The README's "First run, with data" block is the path a newcomer copies: run it as written (bash,
// the README's ports swapped for this test's), beside a live `npm start` on a fresh data folder, and
// check it ends in the first answer: the parent's id and her child.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../../src/config.ts";
import { FAMILY } from "../../src/tools/seed/family.ts";
import { embeddedEnv, postgresProcessesUsing, spawnNpm, untilReady } from "../helpers/process.ts";

/** The first start runs initdb and the migrations, then the block seeds: a minute or two on 2 shared cores. */
const SLOW = 300_000;

/** The shell block under the README's "First run, with data" heading. */
async function firstRunBlock(): Promise<string> {
  const readme = await readFile(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.split(/^### First run, with data$/m)[1];
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "### First run, with data"');
  return block;
}

test("the README's first run, as written, ends in the parent's first answer", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-readme-"));
  const env = await embeddedEnv(dataDir);
  const server = spawnNpm(["start"], env);
  try {
    await untilReady(server);
    expect(server.output()).toContain("npm run db:seed -- --scale 0");

    const script = (await firstRunBlock()).replaceAll("localhost:5678", `localhost:${env.PORT}`);
    const shell = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd: PROJECT_ROOT, env });
    let stdout = "";
    let stderr = "";
    shell.stdout.on("data", (chunk) => (stdout += chunk));
    shell.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => shell.on("exit", resolve));
    if (code !== 0) throw new Error(`the block exited ${code}:\n${stdout}\n${stderr}`);

    // dev:tokens printed a header per member; the curl's answer is the last line.
    expect(stdout.match(/\{"Authorization":"Bearer [\w.-]+"\}/g)).toHaveLength(Object.keys(FAMILY).length);
    const answer = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(answer).toEqual({
      data: { currentUserId: FAMILY.parent, myChildren: { nodes: [{ displayName: "Misha" }] } },
    });
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    expect(await postgresProcessesUsing(dataDir)).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  }
}, SLOW);
