// TRUSTED_DOCUMENTS_DIR: the server runs only the documents stored there, by id.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { signAppToken } from "../../src/http/auth.ts";
import { startTestServer, type TestServer } from "../helpers/http.ts";

const DOCUMENT = "query Me { currentUserId }";
const documentId = createHash("sha256").update(DOCUMENT).digest("hex");
let directory: string;
let server: TestServer;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "trusted-documents-"));
  await writeFile(path.join(directory, `${documentId}.graphql`), DOCUMENT);
  server = await startTestServer({ trustedDocumentsDir: directory });
});

afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

async function post(body: Record<string, unknown>, userId = crypto.randomUUID()) {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${signAppToken("pas_bot", userId, server.secrets)}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string }[] } };
}

test("a trusted document runs by its id (Relay's documentId, Apollo's persistedQuery hash)", async () => {
  const userId = crypto.randomUUID();
  expect(await post({ documentId }, userId)).toEqual({ status: 200, body: { data: { currentUserId: userId } } });
  const apollo = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: documentId } } }, userId);
  expect(apollo.body).toEqual({ data: { currentUserId: userId } });
});

test("any other document is refused, even a copy of a trusted one", async () => {
  for (const body of [{ query: DOCUMENT }, { documentId: "0".repeat(64) }, { documentId: "../../etc/passwd" }]) {
    const { status, body: reply } = await post(body);
    expect(status).toBe(400);
    expect(reply.data).toBeUndefined();
    expect(reply.errors?.[0]?.message).toMatch(/persisted operations are enabled on this server, please provide an approved document id/i);
  }
});
