// Without DATABASE_URL, commands run against the embedded cluster: start it
// (creating it on first use) and stop it when the command stops.
import type { Config } from "../config.ts";
import type { Lifecycle } from "../lifecycle.ts";

export async function startEmbeddedIfNeeded(config: Config, lifecycle: Lifecycle): Promise<void> {
  if (!config.embedded) return;
  // Imported lazily: only the embedded mode needs the package's signal hooks.
  const { startEmbeddedCluster } = await import("./embeddedPostgres.ts");
  const cluster = await startEmbeddedCluster({
    ...config.embedded,
    superuserPassword: config.secret("EMBEDDED_SUPERUSER_PASSWORD"),
  });
  lifecycle.onStop("embedded PostgreSQL", cluster.stop);
}
