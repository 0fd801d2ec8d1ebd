import { readFile } from "node:fs/promises";
import { SDL_FILE, schemaSDL } from "../../src/graphql/sdl.ts";
import { startTestServer, type TestServer } from "../helpers/http.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

test("schema.graphql matches the schema the migrations produce (run `npm run schema:export` after a change)", async () => {
  expect(await schemaSDL(server.service.pgl)).toBe(await readFile(SDL_FILE, "utf8"));
});

test("every type and field the API exposes has a description", async () => {
  const sdl = await schemaSDL(server.service.pgl);
  const { buildSchema } = await import("postgraphile/graphql");
  const schema = buildSchema(sdl);
  const undocumented: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (!type.description) undocumented.push(type.name);
    if ("getFields" in type) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      }
    }
  }
  expect(undocumented).toEqual([]);
});
