// Rows for tests, inserted as the superuser (the apps cannot create users).
import type pg from "pg";

export interface TestUser {
  id: string;
  kind: "parent" | "child" | "psychologist" | "admin";
  display_name: string;
}

export async function createUser(
  client: pg.ClientBase,
  kind: TestUser["kind"],
  displayName = `${kind} ${Math.random().toString(36).slice(2, 8)}`,
): Promise<TestUser> {
  const { rows } = await client.query<TestUser>(
    "insert into app_public.users (kind, display_name) values ($1, $2) returning id, kind, display_name",
    [kind, displayName],
  );
  return rows[0]!;
}

export async function linkFamily(client: pg.ClientBase, parent: TestUser, child: TestUser): Promise<void> {
  await client.query("insert into app_public.family_links (parent_id, child_id) values ($1, $2)", [
    parent.id,
    child.id,
  ]);
}
