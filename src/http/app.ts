// The express app: /healthz, and /graphql (+ /graphiql outside production) behind JWT auth.
import { createServer, type Server } from "node:http";
import express from "express";
import { postgraphile, type PostGraphileInstance } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/express/v4";
import { resilientPool } from "../db/pool.ts";
import { makePreset } from "../graphql/preset.ts";
import { type AppSecrets, requireAppToken } from "./auth.ts";

export interface HttpService {
  server: Server;
  pgl: PostGraphileInstance;
  /** Stops accepting, lets in-flight requests finish, releases the schema and the pool. */
  close(): Promise<void>;
}

export interface HttpServiceOptions {
  /** app_authenticator's connection string. */
  authenticatorUrl: string;
  poolMax: number;
  secrets: AppSecrets;
  production: boolean;
  /** Per-request statement_timeout (default STATEMENT_TIMEOUT). */
  statementTimeout?: string;
  /** Only the trusted documents in this directory run (persisted operations). */
  trustedDocumentsDir?: string;
  /** See makePreset: only the benchmark sets it. */
  roleFor?: (appRole: string) => string;
}

export async function createHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const pool = resilientPool({ connectionString: options.authenticatorUrl, max: options.poolMax }, "GraphQL database");

  const pgl = postgraphile(
    makePreset({
      pool,
      production: options.production,
      statementTimeout: options.statementTimeout,
      trustedDocumentsDir: options.trustedDocumentsDir,
      roleFor: options.roleFor,
    }),
  );
  const app = express();
  app.disable("x-powered-by");
  const server = createServer(app);

  app.get("/healthz", async (_req, res) => {
    try {
      await pool.query("select 1");
      res.json({ status: "ok" });
    } catch (e) {
      res.status(503).json({ status: "unavailable", error: `database: ${(e as Error).message}` });
    }
  });
  app.use("/graphql", requireAppToken(options.secrets));
  const serv = pgl.createServ(grafserv);
  await serv.addTo(app, server);
  // Build the schema now, so a broken database fails start-up rather than the first request.
  await pgl.getSchema();

  return {
    server,
    pgl,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pgl.release();
      await pool.end();
    },
  };
}
