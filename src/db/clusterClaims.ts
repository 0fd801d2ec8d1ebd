// Which commands are using the embedded cluster right now. Each one holds a claim — a shared advisory lock
// taken on a superuser connection to the `postgres` database — for as long as it runs, and `npm start`
// also holds the exclusive "server" lock: one server per data directory. Advisory locks die with their
// connection, so a command killed with SIGKILL lets go at once; no process id or name is ever trusted.
// A command that lets go then tries the claim lock exclusively: if it gets it, nobody else uses the
// cluster and newcomers cannot claim it until this connection ends, so it is safe to stop the cluster.
import pg from "pg";
import { UserError } from "../errors/index.ts";

/** Two-key advisory locks (`pg_advisory_lock(int, int)`): NAMESPACE is "pasi" in ASCII. */
const NAMESPACE = 0x70617369;
const CLAIM = 1;
const SERVER = 2;

/** A second `npm start` on the data directory of a running one. */
export class ServerAlreadyRunningError extends UserError {
  override name = "ServerAlreadyRunningError";
}

/**
 * A claim on the running cluster. Opens a superuser connection with `connect` (which returns undefined
 * when no cluster runs) and keeps the claim while this process runs: if the connection is lost (the
 * cluster was stopped from outside), it claims again, every second, once a cluster answers.
 */
export class ClusterClaim {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private reclaiming: Promise<void> | undefined;
  private released = false;
  private readonly connect: () => Promise<pg.Client | undefined>;
  /** Set once this process holds the server lock: a claim taken again takes it again. */
  private server = false;

  private constructor(connect: () => Promise<pg.Client | undefined>) {
    this.connect = connect;
  }

  /**
   * Claims the cluster `client` is connected to (and takes over the connection). Returns undefined when
   * another command holds it exclusively: it is stopping the cluster, so wait for that and start again.
   */
  static async take(client: pg.Client, connect: () => Promise<pg.Client | undefined>): Promise<ClusterClaim | undefined> {
    if (!(await tryLock(client, "pg_try_advisory_lock_shared", CLAIM))) {
      await client.end();
      return undefined;
    }
    const claim = new ClusterClaim(connect);
    claim.hold(client);
    return claim;
  }

  /** `npm start`: takes the server lock, or throws ServerAlreadyRunningError naming the server holding it. */
  async takeServerLock(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error("The embedded PostgreSQL stopped while starting up.");
    if (!(await tryLock(client, "pg_try_advisory_lock", SERVER))) {
      const [holder] = await holders(client, SERVER);
      throw new ServerAlreadyRunningError(
        `${holder?.applicationName || "Another npm start"} is already serving this data directory: ` +
          "use that one, or stop it first (Ctrl-C in its terminal).",
      );
    }
    this.server = true;
  }

  /**
   * Gives up the claim. Resolves `last: true` when no other command claims the cluster: the caller must
   * then stop it before calling `end()` (until then newcomers wait). `last: false` when others use it, or
   * when no cluster answers.
   */
  async release(): Promise<{ last: boolean }> {
    this.released = true;
    clearTimeout(this.retry);
    // A claim being taken again would make this one look like someone else's.
    await this.reclaiming;
    // (Lost meanwhile: whether we are last is asked on a new connection, if a cluster runs.)
    const client = this.client ?? (await this.connect().catch(() => undefined));
    if (!client) return { last: false };
    if (client !== this.client) this.hold(client);
    try {
      await client.query("select pg_advisory_unlock_all()");
      return { last: await tryLock(client, "pg_try_advisory_lock", CLAIM) };
    } catch {
      // The connection broke while letting go: the cluster is going away on its own.
      return { last: false };
    }
  }

  /** Closes the connection (after release, and after stopping the cluster when last). */
  async end(): Promise<void> {
    this.released = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private hold(client: pg.Client): void {
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.scheduleReclaim();
    };
    // A stopped or crashed cluster ends the connection: not an error of this process.
    client.on("error", lost);
    client.on("end", lost);
  }

  private scheduleReclaim(): void {
    if (this.released) return;
    this.retry = setTimeout(() => {
      this.reclaiming = this.reclaim().finally(() => (this.reclaiming = undefined));
    }, 1000);
    this.retry.unref();
  }

  private async reclaim(): Promise<void> {
    const client = await this.connect().catch(() => undefined);
    if (this.released || !client) {
      await client?.end();
      return this.scheduleReclaim();
    }
    try {
      if (!(await tryLock(client, "pg_try_advisory_lock_shared", CLAIM))) throw new Error("being stopped");
      // Best effort: a second npm start that slipped in meanwhile found our HTTP port taken anyway.
      if (this.server) await tryLock(client, "pg_try_advisory_lock", SERVER);
      this.hold(client);
    } catch {
      await client.end().catch(() => {});
      this.scheduleReclaim();
    }
  }
}

/**
 * Tries a lock once more after ending the connections of non-superusers holding our keys: the `postgres`
 * database is open to every role, and a claim is only what the embedded superuser holds.
 */
async function tryLock(
  client: pg.Client,
  fn: "pg_try_advisory_lock" | "pg_try_advisory_lock_shared",
  key: number,
): Promise<boolean> {
  const attempt = async () => (await client.query<{ ok: boolean }>(`select ${fn}($1, $2) as ok`, [NAMESPACE, key])).rows[0]!.ok;
  if (await attempt()) return true;
  const impostors = (await holders(client, key)).filter((h) => !h.superuser);
  if (impostors.length === 0) return false;
  for (const { pid } of impostors) await client.query("select pg_terminate_backend($1, 5000)", [pid]);
  return attempt();
}

interface Holder {
  pid: number;
  applicationName: string;
  superuser: boolean;
}

/** Other sessions holding `key` (either mode). */
async function holders(client: pg.Client, key: number): Promise<Holder[]> {
  const { rows } = await client.query<Holder>(
    `select a.pid, a.application_name as "applicationName", r.rolsuper as superuser
       from pg_locks l
       join pg_stat_activity a on a.pid = l.pid
       join pg_roles r on r.oid = a.usesysid
      where l.locktype = 'advisory' and l.granted and l.pid <> pg_backend_pid()
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = $1 and l.objid = $2 and l.objsubid = 2
      order by a.backend_start`,
    [NAMESPACE, key],
  );
  return rows;
}
