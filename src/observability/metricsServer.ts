// A standalone worker's own small HTTP server (METRICS_PORT): /metrics for
// Prometheus and /healthz for its supervisor, nothing else.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export async function serveMetrics(registry: Registry, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/metrics") {
      registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${e.message}\n`),
      );
    } else if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: /metrics and /healthz only.\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, resolve);
  });
  return server;
}
