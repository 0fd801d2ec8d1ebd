import { readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../../src/config.ts";

test("npm scripts run on the project's own Node (the `node` devDependency), not the machine's", async () => {
  const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, "package.json"), "utf8"));
  expect(process.version).toBe(`v${pkg.devDependencies.node}`);
  expect(process.execPath.startsWith(path.join(PROJECT_ROOT, "node_modules"))).toBe(true);
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  expect(major > 22 || (major === 22 && minor >= 18)).toBe(true);
});
