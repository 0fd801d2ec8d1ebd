// `npm run test:replica`: jest on test/replica/ against a primary and its streaming standby.
// - ROOT_DATABASE_URL (the primary's superuser) and REPLICA_ROOT_DATABASE_URL (the same superuser on
//   the standby) given (CI's PostgreSQL 15 pass): runs the tests against them.
// - Neither given: builds its own pair with the PostgreSQL binaries of PG_BINDIR, else the newest
//   /usr/lib/postgresql/<version>/bin (a primary by initdb, its standby by test/replica/standby.sh),
//   runs the tests and removes both. The embedded cluster of `npm test` cannot be used: its package
//   ships no pg_basebackup, and another version's cannot copy it.
// - No binaries: fails saying so; the replica tests never pass by being skipped.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../setup/testCluster.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

function fail(message: string): never {
  console.error(`test:replica: ${message}`);
  process.exit(1);
}

/** The directory with initdb, pg_ctl, psql and pg_basebackup of one PostgreSQL version. */
function postgresBinaries(): string {
  const given = process.env.PG_BINDIR;
  const candidates = given
    ? [given]
    : existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v) && Number(v) >= 15).sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  const found = candidates.find((dir) => ["initdb", "pg_ctl", "psql", "pg_basebackup", "postgres"].every((b) => existsSync(path.join(dir, b))));
  if (!found) {
    fail(
      "no primary and standby given (ROOT_DATABASE_URL and REPLICA_ROOT_DATABASE_URL), and no PostgreSQL binaries with " +
        `pg_basebackup to make them (${given ? `PG_BINDIR=${given}` : "none in /usr/lib/postgresql/*/bin"}). ` +
        "Install PostgreSQL >= 15 (Debian: postgresql-15) or set PG_BINDIR, or point the two variables at a primary and its hot standby.",
    );
  }
  return found;
}

function run(command: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command[0]!, command.slice(1), { stdio: "inherit", env, cwd: ROOT });
  if (result.status !== 0) fail(`${command.join(" ")} exited with ${result.status ?? result.signal}`);
}

function jest(env: NodeJS.ProcessEnv): number {
  // Extra arguments go to jest (`npm run test:replica -- -t "loss"`).
  const result = spawnSync("npm", ["run", "jest", "--", "--runInBand", "test/replica/", ...process.argv.slice(2)], { stdio: "inherit", env, cwd: ROOT });
  return result.status ?? 1;
}

if (process.env.ROOT_DATABASE_URL && process.env.REPLICA_ROOT_DATABASE_URL) {
  process.exit(jest(process.env));
}
if (process.env.ROOT_DATABASE_URL || process.env.REPLICA_ROOT_DATABASE_URL) {
  fail("set both ROOT_DATABASE_URL (the primary's superuser) and REPLICA_ROOT_DATABASE_URL (its standby), or neither.");
}

const bin = postgresBinaries();
const work = mkdtempSync(path.join(tmpdir(), "pas-replica-"));
chmodSync(work, 0o755);
// PostgreSQL refuses to run as root: as root, the servers run as the postgres OS user (as .ci/run does).
const asPg = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
if (asPg.length > 0) {
  if (spawnSync("id", ["postgres"]).status !== 0) run(["useradd", "--system", "--user-group", "--no-create-home", "postgres"]);
  run(["chown", "postgres", work]);
}
const password = randomBytes(18).toString("base64url");
writeFileSync(path.join(work, "pwfile"), `${password}\n`, { mode: 0o644 });
const [primaryPort, standbyPort] = [await freePort(), await freePort()];
const primary = path.join(work, "primary");
const standby = path.join(work, "standby");
const stop = () => {
  for (const dir of [standby, primary]) {
    const command = [...asPg, `${bin}/pg_ctl`, "-D", dir, "-m", "fast", "-w", "stop"];
    if (existsSync(dir)) spawnSync(command[0]!, command.slice(1), { stdio: "ignore" });
  }
  rmSync(work, { recursive: true, force: true });
};
let status = 1;
try {
  run([...asPg, `${bin}/initdb`, "-D", primary, "-U", "postgres", `--pwfile=${path.join(work, "pwfile")}`, "--auth=scram-sha-256", "--encoding=UTF8"], {
    ...process.env,
    LC_ALL: "C.UTF-8",
  });
  run([...asPg, `${bin}/pg_ctl`, "-D", primary, "-l", `${primary}.log`, "-w", "-o", `-p ${primaryPort} -c listen_addresses=localhost -c unix_socket_directories=''`, "start"]);
  run([...asPg, "bash", path.join(HERE, "standby.sh"), bin, primary, String(primaryPort), standby, String(standbyPort)], { ...process.env, PGPASSWORD: password });
  status = jest({
    ...process.env,
    ROOT_DATABASE_URL: `postgres://postgres:${password}@localhost:${primaryPort}/postgres`,
    REPLICA_ROOT_DATABASE_URL: `postgres://postgres:${password}@localhost:${standbyPort}/postgres`,
  });
} finally {
  stop();
}
process.exit(status);
