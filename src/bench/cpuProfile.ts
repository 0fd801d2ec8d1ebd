// Where an API process's CPU time goes: a V8 CPU profile (the `.cpuprofile`
// JSON of `node --cpu-prof` or the inspector's Profiler.stop) summed by part of
// the request path. Each sample is charged to the nearest frame above it that
// belongs to a package or to our code (Node's own frames charge their caller:
// a socket write made by pg counts for pg), and a native write(2) is shown on
// its own line, for PostgreSQL or for the HTTP response, since it is the
// kernel's time, not the library's.

/** The subset of V8's profile format read here (Profiler.Profile in the Chrome DevTools Protocol). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

const PROFILER = "the profiler itself";

/** Parts of the request path, by the file a frame comes from; the first match wins. */
const PARTS: Array<[RegExp, string]> = [
  [/\/(jsonwebtoken|jws|jwa|safe-buffer|semver)\//, "JWT verification (jsonwebtoken)"],
  [/\/@pinojs\/redact\/|\/fast-redact\//, "log redaction"],
  [/\/(pino|pino-http|pino-std-serializers|sonic-boom|thread-stream|quick-format-unescaped)\//, "request logging (pino, pino-http)"],
  [/\/(prom-client|tdigest|bintrees)\//, "metrics (prom-client)"],
  [
    /\/(express|router|body-parser|finalhandler|on-finished|path-to-regexp|send|serve-static|accepts|negotiator|type-is|mime-types|mime-db|content-type|raw-body|qs|parseurl|depd|statuses|vary|etag|fresh|cookie|encodeurl|escape-html|range-parser|proxy-addr|forwarded|ipaddr\.js|media-typer|iconv-lite|debug)\//,
    "express and its middleware",
  ],
  [/\/graphql\//, "graphql-js (parse, validate)"],
  [/\/grafserv\//, "grafserv (HTTP to GraphQL and back, JSON out)"],
  [/\/(@dataplan\/pg|pg-sql2)\//, "@dataplan/pg (SQL, transactions, rows)"],
  [/\/grafast\//, "grafast (plan, execute)"],
  [/\/(postgraphile|graphile-build|graphile-build-pg|graphile-config|@graphile)\//, "PostGraphile and plugins"],
  [/\/(pg|pg-protocol|pg-pool|pg-types|postgres-array|postgres-date|postgres-interval|postgres-bytea)\//, "pg driver (protocol, types)"],
  // Our pool's client (src/db/pool.ts) sends pg's queries: its writes are pg's.
  [/^(?!.*\/node_modules\/).*\/src\/db\/pool\.ts/, "pg driver (protocol, types)"],
  // The benchmark's launcher runs the profiler: its own cost (stopping it serializes the profile) is not the API's.
  [/^(?!.*\/node_modules\/).*\/src\/bench\//, PROFILER],
  // Our code: a src/ folder outside node_modules.
  [/^(?!.*\/node_modules\/).*\/src\/http\//, "our middleware (src/http)"],
  [/^(?!.*\/node_modules\/).*\/src\/observability\//, "our telemetry (src/observability)"],
  [/^(?!.*\/node_modules\/).*\/src\/graphql\//, "our GraphQL plugins (depth limit, masking)"],
  [/^(?!.*\/node_modules\/).*\/src\//, "our other code"],
];

const OWN_FRAMES: Record<string, string> = {
  "(garbage collector)": "garbage collector",
  "(program)": "V8 and native code outside JavaScript",
  "(idle)": "idle",
};

export interface Share {
  part: string;
  /** Of the busy (non-idle) time, 0 to 1. */
  share: number;
  microseconds: number;
}

/** The profile's busy time by part, largest first; idle time and the profiler's own are left out. */
export function timeByPart(profile: CpuProfile, parts: Array<[RegExp, string]> = PARTS): { busyMicroseconds: number; shares: Share[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const partOfNode = new Map<number, string>();
  const partOf = (id: number): string => {
    const known = partOfNode.get(id);
    if (known) return known;
    const leaf = byId.get(id)!.callFrame;
    let owner: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !owner; at = parentOf.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (url && !url.startsWith("node:")) owner = parts.find(([pattern]) => pattern.test(url))?.[1] ?? "other packages";
    }
    let part = owner ?? OWN_FRAMES[leaf.functionName] ?? "Node core (http, net, streams, timers)";
    // A native write(2): the kernel's time, charged to whoever asked for it.
    if (!leaf.url && /^write/.test(leaf.functionName)) {
      if (part.startsWith("pg driver")) part = "socket writes to PostgreSQL (kernel)";
      else if (/grafserv|express|Node core/.test(part)) part = "socket writes of HTTP responses (kernel)";
    }
    partOfNode.set(id, part);
    return part;
  };
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const part = partOf(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (part === "idle" || part === PROFILER) return;
    busy += delta;
    totals.set(part, (totals.get(part) ?? 0) + delta);
  });
  const shares = [...totals]
    .map(([part, microseconds]) => ({ part, microseconds, share: busy > 0 ? microseconds / busy : 0 }))
    .sort((a, b) => b.microseconds - a.microseconds);
  return { busyMicroseconds: busy, shares };
}
