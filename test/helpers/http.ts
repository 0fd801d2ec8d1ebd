// The real HTTP service on a free port, against this file's database.
import type { AddressInfo } from "node:net";
import { createHttpService, type HttpService } from "../../src/http/app.ts";
import { type AppSecrets, appSecretsFrom } from "../../src/http/auth.ts";
import { type MasterKeys, masterKeys } from "../../src/privacy/masterKeys.ts";
import { createLogger, type Logger } from "../../src/observability/logger.ts";
import { roleUrl, testConfig, throughPgBouncer } from "./db.ts";

export interface TestServer {
  url: string;
  service: HttpService;
  secrets: AppSecrets;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    production?: boolean;
    statementTimeout?: string;
    trustedDocumentsDir?: string;
    /** Default: silent. */
    logger?: Logger;
    /** Default false: no worker runs beside most test servers. */
    requireWorker?: boolean;
    privacyPollMs?: number;
    /** Default: the run's DATA_ENCRYPTION_KEY. */
    masterKeys?: MasterKeys;
    /** Default: roleUrl("app_authenticator") (through the run's PgBouncer, if any). */
    authenticatorUrl?: string;
    /** Default: true, but false through the run's PgBouncer (1.18 in transaction mode cannot keep them). */
    preparedStatements?: boolean;
    /** app_authenticator on a streaming replica (test/replica/). */
    readReplicaUrl?: string;
  } = {},
): Promise<TestServer> {
  const secrets = appSecretsFrom(testConfig().secret);
  const service = await createHttpService({
    authenticatorUrl: options.authenticatorUrl ?? roleUrl("app_authenticator"),
    poolMax: 4,
    preparedStatements: options.preparedStatements ?? !throughPgBouncer,
    secrets,
    production: options.production ?? false,
    masterKeys: options.masterKeys ?? masterKeys(testConfig()),
    statementTimeout: options.statementTimeout,
    trustedDocumentsDir: options.trustedDocumentsDir,
    logger: options.logger ?? createLogger({ level: "silent" }),
    requireWorker: options.requireWorker ?? false,
    privacyPollMs: options.privacyPollMs,
    readReplicaUrl: options.readReplicaUrl,
  });
  await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
  const { port } = service.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, service, secrets, close: () => service.close() };
}

export async function graphql(
  server: TestServer,
  query: string,
  options: { token?: string; authorization?: string; variables?: Record<string, unknown> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, body: (await response.json()) as any };
}
