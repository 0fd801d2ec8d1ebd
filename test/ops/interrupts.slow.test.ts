// A command stopped by a signal: a one-shot one says it did not finish (exit 128 + the signal's number,
// as shells do), and what it started stops with it — graphile-migrate's `watch` under `npm run gm` too,
// also when the signal reaches only our process (an IDE's stop button, a process manager).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { embeddedEnv, postgresProcessesUsing, spawnNpm, until } from "../helpers/process.ts";

/** The processes whose environment names this data folder (every command we spawn inherits DATA_DIR). */
async function processesWithDataDir(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(`DATA_DIR=${dataDir}`)) {
      found.push((await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " "));
    }
  }
  return found;
}

test("SIGTERM to `npm run gm -- watch` alone stops graphile-migrate and the cluster, and exits 143", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-interrupt-"));
  try {
    const watch = spawnNpm(["run", "gm", "--", "watch"], await embeddedEnv(dataDir));
    const child = () => processesWithDataDir(dataDir).then((all) => all.some((cmd) => cmd.includes("graphile-migrate/dist/cli.js watch")));
    await until("graphile-migrate watch to run", child, { timeoutMs: 120_000 });

    watch.child.kill("SIGTERM"); // npm passes it to our process only, not to the whole group
    expect(await watch.exited).toBe(143);
    expect(await processesWithDataDir(dataDir)).toEqual([]);
    expect(await postgresProcessesUsing(dataDir)).toEqual([]);
    expect(watch.output()).not.toMatch(/graphile-migrate exited with code/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 240_000);
