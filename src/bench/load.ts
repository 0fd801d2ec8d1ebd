// The load generator of `npm run bench`, in a process of its own (forked by
// src/bin/bench.ts): autocannon against /graphql, each request as a random
// actor with its own token, counting GraphQL errors in 200 responses too.
import autocannon from "autocannon";
import { percentile } from "./percentile.ts";

export interface LoadSpec {
  url: string;
  query: string;
  requests: Array<{ token: string; variables: Record<string, unknown> }>;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
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

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const bodies = spec.requests.map((r) => ({
    headers: { "content-type": "application/json", authorization: `Bearer ${r.token}` },
    body: JSON.stringify({ query: spec.query, variables: r.variables }),
  }));
  let next = 0;
  const latencies: number[] = [];
  let graphqlErrors = 0;
  let succeeded = 0;
  let firstError: string | undefined;
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
          (context as { started?: number }).started = performance.now();
          return { ...request, method: "POST", headers: chosen.headers, body: chosen.body };
        },
        onResponse: (status, body, context) => {
          latencies.push(performance.now() - (context as { started: number }).started);
          if (status === 200 && !body.includes('"errors"')) succeeded++;
          else if (status === 200) {
            graphqlErrors++;
            firstError ??= body.slice(0, 300);
          } else firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.average,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
    succeeded,
    sent: result.requests.sent,
    ...(firstError ? { firstError } : {}),
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
