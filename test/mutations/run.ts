// `npm run test:mutations`: breaks our own SQL one mutation at a time
// (test/mutations/catalogue.ts) and runs the privacy tests against each mutant;
// every mutation must make some test fail. One cluster and one migrated template
// (built as jest's globalSetup builds it); per mutation a clone of the template is
// mutated and jest runs against it (TEST_PREPARED_TEMPLATE: no cluster, no migrate).
// Prints mutation → the first test that failed (or SURVIVED), and exits non-zero
// when the unmutated suite fails, a mutation survives or cannot be applied.
//   --only id,id        run these mutations only
//   --tests file,file   run these test files instead of PRIVACY_TESTS (in this order)
//   --catalogue file    take MUTATIONS from another module (to try the runner itself)
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { PROJECT_ROOT, urlForDatabase } from "../../src/config.ts";
import { applyPolicies, POLICIES_DIR } from "../../src/db/policies.ts";
import globalSetup, { TEMPLATE_DATABASE } from "../setup/globalSetup.ts";
import globalTeardown from "../setup/globalTeardown.ts";
import { type Mutation, MUTATIONS, PRIVACY_TESTS } from "./catalogue.ts";

const MUTANT_DATABASE = "pas_mutant";
const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Outcome {
  id: string;
  verdict: "killed" | "SURVIVED" | "ERROR";
  detail: string;
}

const { values: options } = parseArgs({ options: { only: { type: "string" }, tests: { type: "string" }, catalogue: { type: "string" } } });
const TESTS = options.tests?.split(",") ?? PRIVACY_TESTS;

async function loadMutations(): Promise<Mutation[]> {
  const all: Mutation[] = options.catalogue
    ? (await import(pathToFileURL(path.resolve(options.catalogue)).href)).MUTATIONS
    : MUTATIONS;
  const only = options.only?.split(",");
  const unknown = only?.filter((id) => !all.some((m) => m.id === id)) ?? [];
  if (unknown.length) throw new Error(`--only names no mutation: ${unknown.join(", ")}`);
  const ids = all.map((m) => m.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) throw new Error(`mutation ids must be unique: ${twice.join(", ")}`);
  return only ? all.filter((m) => only.includes(m.id)) : all;
}

function occurrences(text: string, find: string): number {
  return find === "" ? 0 : text.split(find).length - 1;
}

function replaceOnce(text: string, find: string, replace: string, where: string): string {
  const count = occurrences(text, find);
  if (count !== 1) throw new Error(`\`find\` occurs ${count} times in ${where} (it must occur exactly once)`);
  return text.replace(find, () => replace);
}

/**
 * Clones the template and applies the mutation to the clone; throws when it cannot be applied.
 * `policies`: the policies/ files as they were when the template was built.
 */
async function prepareMutant(rootUrl: string, ownerUrl: string, policies: string, mutation: Mutation): Promise<void> {
  await withClient(rootUrl, async (root) => {
    await root.query(`drop database if exists ${MUTANT_DATABASE} with (force)`);
    await root.query(`create database ${MUTANT_DATABASE} template ${TEMPLATE_DATABASE}`);
  });
  const mutantRoot = urlForDatabase(rootUrl, MUTANT_DATABASE);
  if ("sql" in mutation) {
    await withClient(mutantRoot, (root) => root.query(mutation.sql));
  } else if ("function" in mutation) {
    await withClient(mutantRoot, async (root) => {
      const { rows } = await root.query("select pg_get_functiondef($1::regprocedure) as definition", [mutation.function]);
      await root.query(replaceOnce(rows[0].definition, mutation.find, mutation.replace, `the definition of ${mutation.function}`));
    });
  } else {
    if (!mutation.file.startsWith("policies/")) throw new Error(`${mutation.file}: a file mutation changes a policies/ file (a function is named by its signature)`);
    const dir = await mkdtemp(path.join(tmpdir(), "pas-mutant-policies-"));
    try {
      await cp(policies, dir, { recursive: true });
      const file = path.join(dir, path.relative("policies", mutation.file));
      await writeFile(file, replaceOnce(await readFile(file, "utf8"), mutation.find, mutation.replace, mutation.file));
      await applyPolicies(urlForDatabase(ownerUrl, MUTANT_DATABASE), dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs the privacy tests against a prepared template, stopping at the first failure:
 * that failure ("file: test name"), null when every test passed; throws when jest
 * could not run at all.
 */
async function firstFailure(rootUrl: string, template: string): Promise<string | null> {
  const dir = await mkdtemp(path.join(tmpdir(), "pas-mutant-jest-"));
  const report = path.join(dir, "first-failure.txt");
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          "--experimental-vm-modules", "--disable-warning=ExperimentalWarning", path.join(PROJECT_ROOT, "node_modules/jest/bin/jest.js"),
          ...TESTS,
          "--ci", "--bail", "--runInBand", "--silent",
          `--testSequencer=${path.join(HERE, "sequencer.js")}`, `--testEnvironment=${path.join(HERE, "environment.js")}`,
          // (Last: an array option takes the arguments after it.)
          `--reporters=${path.join(HERE, "first-failure-reporter.js")}`,
        ],
        {
          cwd: PROJECT_ROOT,
          env: {
            ...process.env, ROOT_DATABASE_URL: rootUrl, TEST_PREPARED_TEMPLATE: template,
            MUTATION_TEST_ORDER: TESTS.join(","), MUTATION_REPORT: report,
          },
          maxBuffer: 64 << 20,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    const failure = await readFile(report, "utf8").catch(() => null);
    if (failure || code === 0) return failure;
    throw new Error(`jest failed before any test:\n${output.trim().split("\n").slice(-15).join("\n")}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Killed (by which test), SURVIVED, or an ERROR: the mutation could not be applied, or jest could not run. */
async function judge(rootUrl: string, ownerUrl: string, policies: string, mutation: Mutation): Promise<Outcome> {
  try {
    await prepareMutant(rootUrl, ownerUrl, policies, mutation);
  } catch (e) {
    return { id: mutation.id, verdict: "ERROR", detail: `not applied: ${(e as Error).message.split("\n")[0]}` };
  }
  try {
    const killer = await firstFailure(rootUrl, MUTANT_DATABASE);
    return killer
      ? { id: mutation.id, verdict: "killed", detail: killer }
      : { id: mutation.id, verdict: "SURVIVED", detail: "every privacy test passed" };
  } catch (e) {
    return { id: mutation.id, verdict: "ERROR", detail: (e as Error).message.replaceAll("\n", " | ") };
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const mutations = await loadMutations();
  // Others may edit policies/ meanwhile: every mutant starts from the files the template was built with.
  const policies = await mkdtemp(path.join(tmpdir(), "pas-policies-"));
  await cp(POLICIES_DIR, policies, { recursive: true });
  try {
    console.log(`Building the template (migrations, functions, policies) in a fresh cluster…`);
    await globalSetup();
    const rootUrl = process.env.TEST_ROOT_URL!;
    const ownerUrl = process.env.TEST_OWNER_URL_TEMPLATE!;

    console.log(`Unmutated: ${TESTS.join(" ")}`);
    const baseline = await firstFailure(rootUrl, TEMPLATE_DATABASE);
    if (baseline) {
      console.error(`The privacy tests fail without any mutation (${baseline}): fix them first; no mutation was tried.`);
      return 2;
    }

    const outcomes: Outcome[] = [];
    for (const [index, mutation] of mutations.entries()) {
      const t0 = Date.now();
      const outcome = await judge(rootUrl, ownerUrl, policies, mutation);
      outcomes.push(outcome);
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`[${index + 1}/${mutations.length}] ${mutation.id} (${mutation.description}): ${outcome.verdict} in ${seconds} s`);
    }
    await withClient(rootUrl, (root) => root.query(`drop database if exists ${MUTANT_DATABASE} with (force)`));

    const width = Math.max(...outcomes.map((o) => o.id.length));
    console.log(`\n${"mutation".padEnd(width)}  result    first failing test`);
    for (const o of outcomes) console.log(`${o.id.padEnd(width)}  ${o.verdict.padEnd(8)}  ${o.detail}`);
    const count = (verdict: Outcome["verdict"]) => outcomes.filter((o) => o.verdict === verdict).length;
    const total = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`\n${outcomes.length} mutations: ${count("killed")} killed, ${count("SURVIVED")} survived, ${count("ERROR")} not applied; ${total} s in all.`);
    return count("killed") === outcomes.length ? 0 : 1;
  } finally {
    await globalTeardown();
    await rm(policies, { recursive: true, force: true });
  }
}

process.exitCode = await main();
