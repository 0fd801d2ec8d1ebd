// The load generator of `npm run bench`, in a process of its own (forked by
// src/bin/bench.ts): autocannon against /graphql, each request as a given
// actor with its own token, counting GraphQL errors in 200 responses too.
// The requests may mix operations (the mixed load); figures are kept per
// operation as well as for the whole run.
import autocannon from "autocannon";
import { latencyPercentiles } from "./percentile.ts";

export interface LoadRequest {
  operation: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface LoadSpec {
  url: string;
  /** Sent in this order, round and round, by all connections together. */
  requests: LoadRequest[];
  connections: number;
  durationSeconds: number;
}

export interface Figures {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Transport errors, timeouts, non-2xx responses and 200 responses carrying GraphQL errors. */
  errors: number;
  succeeded: number;
  /** Requests sent, including those still in flight when the run ended. */
  sent: number;
  firstError?: string;
}

export interface LoadResult extends Figures {
  byOperation: Record<string, Figures>;
}

interface Tally {
  latencies: number[];
  errors: number;
  succeeded: number;
  sent: number;
  firstError?: string;
}

function figuresOf(tally: Tally, seconds: number, transportErrors = 0): Figures {
  return {
    requestsPerSecond: tally.latencies.length / seconds,
    ...latencyPercentiles(tally.latencies),
    errors: tally.errors + transportErrors,
    succeeded: tally.succeeded,
    sent: tally.sent,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
  };
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const bodies = spec.requests.map((r) => ({
    operation: r.operation,
    headers: { "content-type": "application/json", authorization: `Bearer ${r.token}` },
    body: JSON.stringify({ query: r.query, variables: r.variables }),
  }));
  const tallies = new Map<string, Tally>();
  for (const { operation } of bodies) {
    if (!tallies.has(operation)) tallies.set(operation, { latencies: [], errors: 0, succeeded: 0, sent: 0 });
  }
  let next = 0;
  type Context = { started: number; tally: Tally };
  const result = await autocannon({
    url: `${spec.url}/graphql`,
    connections: spec.connections,
    duration: spec.durationSeconds,
    method: "POST",
    requests: [
      {
        // One request at a time per connection: the connection's context times it.
        setupRequest: (request, context) => {
          const chosen = bodies[next++ % bodies.length]!;
          const tally = tallies.get(chosen.operation)!;
          tally.sent++;
          Object.assign(context, { started: performance.now(), tally } satisfies Context);
          return { ...request, method: "POST", headers: chosen.headers, body: chosen.body };
        },
        onResponse: (status, body, context) => {
          const { started, tally } = context as Context;
          tally.latencies.push(performance.now() - started);
          if (status === 200 && !body.includes('"errors"')) tally.succeeded++;
          else {
            tally.errors++;
            tally.firstError ??= status === 200 ? body.slice(0, 300) : `HTTP ${status}: ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  const all: Tally = { latencies: [], errors: 0, succeeded: 0, sent: 0 };
  for (const t of tallies.values()) {
    all.latencies.push(...t.latencies);
    all.errors += t.errors;
    all.succeeded += t.succeeded;
    all.sent += t.sent;
    all.firstError ??= t.firstError;
  }
  // Transport errors (timeouts included) belong to no response, so only to the whole run.
  const overall = figuresOf(all, spec.durationSeconds, result.errors);
  return {
    ...overall,
    byOperation: Object.fromEntries([...tallies].map(([name, t]) => [name, figuresOf(t, spec.durationSeconds)])),
  };
}

process.once("message", (spec: LoadSpec) => {
  runLoad(spec).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
