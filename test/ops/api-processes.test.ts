// API_PROCESSES and the restart back-off of npm start's cluster (src/http/cluster.ts); the real processes are
// test/ops/api-processes.slow.test.ts's.
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { RESTART_BASE_MS, RESTART_GIVE_UP, RESTART_MAX_MS, restartDelayMs } from "../../src/http/cluster.ts";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-api-processes-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test("API_PROCESSES: one per core by default, 1 to 64, anything else refused with the setting's name", () => {
  expect(loadConfig({ DATA_DIR: dataDir }).apiProcesses).toBe(Math.min(availableParallelism(), 64));
  expect(loadConfig({ DATA_DIR: dataDir, API_PROCESSES: "1" }).apiProcesses).toBe(1);
  expect(loadConfig({ DATA_DIR: dataDir, API_PROCESSES: "64" }).apiProcesses).toBe(64);
  for (const wrong of ["0", "65", "two", "1.5"]) {
    expect(() => loadConfig({ DATA_DIR: dataDir, API_PROCESSES: wrong })).toThrow(
      new ConfigError(`API_PROCESSES must be an integer from 1 to 64, got "${wrong}".`),
    );
  }
});

test("a crashed API process is restarted after a back-off that doubles with each crash in a row, up to 30 s", () => {
  const delays = Array.from({ length: RESTART_GIVE_UP - 1 }, (_, i) => restartDelayMs(i + 1));
  expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  expect(delays[0]).toBe(RESTART_BASE_MS);
  expect(Math.max(...delays)).toBe(RESTART_MAX_MS);
  // A crash loop is given up (npm start exits 1, for its supervisor) after about two minutes of waiting.
  expect(delays.reduce((a, b) => a + b, 0)).toBe(121_500);
});
