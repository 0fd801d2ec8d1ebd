// The source tree's layers import downwards only, so a request's path reads in one direction
// (src/http verifies the token and hands the identity to src/graphql, which hands it to the database)
// and the runtime never loads the tooling (src/tools: seed, explain, backup, dumps, diagrams).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../../src/config.ts";

const SRC = path.join(PROJECT_ROOT, "src");

/** For each folder of src/, the folders of src/ its files must not import from. */
const MUST_NOT_IMPORT: Record<string, string[]> = {
  db: ["http", "graphql", "worker", "tools", "bin"],
  graphql: ["http", "tools", "bin"],
  http: ["tools", "bin"],
  worker: ["http", "graphql", "tools", "bin"],
  tools: ["http", "bin"],
};

/** The relative specifiers of a TypeScript file's static and dynamic imports (and re-exports). */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)"(\.{1,2}\/[^"]+)"/gm)].map((m) => m[1]!);
}

/** "src/<folder>/…" → "<folder>"; a file directly in src/ → "". */
function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : "";
}

test("no layer of src/ imports from a layer above it (graphql from http, db from http or graphql, runtime from tools)", async () => {
  const violations: string[] = [];
  for (const [folder, forbidden] of Object.entries(MUST_NOT_IMPORT)) {
    const files = (await readdir(path.join(SRC, folder), { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const relative of files) {
      const file = path.join(SRC, folder, relative);
      for (const specifier of relativeImports(await readFile(file, "utf8"))) {
        const target = folderOf(path.resolve(path.dirname(file), specifier));
        if (forbidden.includes(target)) violations.push(`${path.relative(PROJECT_ROOT, file)} imports ${specifier}`);
      }
    }
  }
  expect(violations).toEqual([]);
});

test("the import scan sees the shapes of import our code uses", () => {
  expect(
    relativeImports(
      [
        'import { a } from "../http/auth.ts";',
        'import type { B } from "./b.ts";',
        'import "../graphileEnv.ts";',
        'export { MAX } from "./hardening.ts";',
        'const { c } = await import("../tools/seed/family.ts");',
        'import pg from "pg";',
      ].join("\n"),
    ),
  ).toEqual(["../http/auth.ts", "./b.ts", "../graphileEnv.ts", "./hardening.ts", "../tools/seed/family.ts"]);
});
