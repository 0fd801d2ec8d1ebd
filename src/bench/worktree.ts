// `npm run bench -- --baseline <ref>`: the baseline commit checked out in a scratch git worktree
// (under os.tmpdir(), detached), with its dependencies: a symlink to this checkout's node_modules
// when the commit's package-lock.json is this checkout's, else `npm ci` in the worktree (its
// progress shown). `remove()` takes it away again (the worktree, its folder, git's record of it).
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../config.ts";
import { UserError } from "../errors/index.ts";

const run = promisify(execFile);

export interface BaselineCheckout {
  /** The worktree's folder: the launcher's --root. */
  dir: string;
  /** The full commit id the ref named. */
  commit: string;
  /** How its dependencies were provided. */
  dependencies: "shared node_modules" | "npm ci";
  remove(): Promise<void>;
}

export interface CheckoutOptions {
  /** The repository (default: the one this file belongs to). */
  repo?: string;
  /** Installs the worktree's dependencies when its lock file differs (default: `npm ci`, output on stderr). */
  install?: (dir: string) => Promise<void>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /**
   * Given the checkout's `remove` as soon as its folder exists, before git or npm run: a caller that stops
   * early (Ctrl-C during `git worktree add` or `npm ci`) registers it there, so nothing is left behind.
   */
  onCreated?: (remove: () => Promise<void>) => void;
}

/** A ref as `git rev-parse` takes it (a name, a commit id, `HEAD~3`, `main@{1}`), and never an option. */
const REF = /^[\w][\w./~^@{}+-]*$/;

async function npmCi(dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", process.stderr, process.stderr] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${dir} exited with ${code}`))));
  });
}

/** The commit `ref` names in `repo`; a UserError when it is malformed or names none. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (!REF.test(ref)) throw new UserError(`--baseline "${ref}" is not a git ref: give a branch, tag or commit (e.g. --baseline main).`);
  try {
    const { stdout } = await run("git", ["-C", repo, "rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    return stdout.trim();
  } catch {
    throw new UserError(`--baseline "${ref}" names no commit of ${repo} (git rev-parse --verify found none).`);
  }
}

/** Checks `ref` out into a scratch worktree with its dependencies; on any failure nothing is left behind. */
export async function checkoutBaseline(ref: string, options: CheckoutOptions = {}): Promise<BaselineCheckout> {
  const repo = options.repo ?? PROJECT_ROOT;
  const log = options.log ?? ((line: string) => console.error(line));
  const commit = await resolveCommit(repo, ref);
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-baseline-"));
  const modules = path.join(dir, "node_modules");
  let linked = false;
  let removing: Promise<void> | undefined;
  // Once, whoever asks first (a failure below, or the caller's stop).
  const remove = () =>
    (removing ??= (async () => {
      // The link first, so that nothing below can reach this checkout's own node_modules.
      if (linked) await unlink(modules).catch(() => {});
      const removed = await run("git", ["-C", repo, "worktree", "remove", "--force", dir]).then(() => true, () => false);
      await rm(dir, { recursive: true, force: true });
      // Only when git could not remove it (a half-made worktree): forget the folder just deleted.
      if (!removed) await run("git", ["-C", repo, "worktree", "prune"]).catch(() => {});
    })());
  options.onCreated?.(remove);
  try {
    log(`Baseline: ${ref} = ${commit.slice(0, 12)}, checked out in ${dir}.`);
    await run("git", ["-C", repo, "worktree", "add", "--detach", "--quiet", dir, commit]);
    const [theirs, ours] = await Promise.all([
      run("git", ["-C", repo, "show", `${commit}:package-lock.json`], { maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout, () => undefined),
      readFile(path.join(repo, "package-lock.json"), "utf8").catch(() => undefined),
    ]);
    let dependencies: BaselineCheckout["dependencies"];
    if (theirs !== undefined && theirs === ours) {
      await symlink(path.join(repo, "node_modules"), modules, "dir");
      linked = true;
      dependencies = "shared node_modules";
    } else {
      log("Baseline: its package-lock.json differs from the working tree's: npm ci in the worktree…");
      await (options.install ?? npmCi)(dir);
      dependencies = "npm ci";
    }
    return { dir, commit, dependencies, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
