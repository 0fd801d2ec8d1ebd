// For the benchmark only: twins of the two app roles with BYPASSRLS, so the same
// GraphQL operations can run without row-level security and the difference is
// the cost of RLS. Created at the start of a run, dropped at its end; never in
// production (bench.ts refuses NODE_ENV=production).
import pg from "pg";
import { ROLES } from "../config.ts";

export const BYPASS_TWIN: Record<string, string> = {
  [ROLES.pasBot]: "bench_pas_bot_bypassrls",
  [ROLES.innerEdu]: "bench_inner_edu_bypassrls",
};

async function withSuperuser(rootUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Each twin has its app role's privileges (by membership) and bypasses RLS; the authenticator may switch into it. */
export function createBypassTwins(rootUrl: string): Promise<void> {
  return withSuperuser(
    rootUrl,
    Object.entries(BYPASS_TWIN)
      .map(
        ([role, twin]) => `
          do $$ begin
            if not exists (select 1 from pg_roles where rolname = '${twin}') then create role ${twin} nologin bypassrls; end if;
          end $$;
          grant ${role} to ${twin};
          grant ${twin} to ${ROLES.authenticator};`,
      )
      .join("\n"),
  );
}

export function dropBypassTwins(rootUrl: string): Promise<void> {
  return withSuperuser(rootUrl, Object.values(BYPASS_TWIN).map((twin) => `drop role if exists ${twin};`).join("\n"));
}
