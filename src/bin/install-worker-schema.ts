// graphile-migrate's afterReset action: the shadow database gets graphile-worker's schema too.
import { runMigrations } from "graphile-worker";

const url = process.env.GM_DBURL;
if (!url) throw new Error("GM_DBURL is not set: this runs as a graphile-migrate action.");
await runMigrations({ connectionString: url });
