// The HTTP stack's ceiling for `npm run bench -- --ceiling`: a bare node:http server, in a process of
// its own like the API's (src/bench/servers.ts starts it), that reads each request's body and answers
// it with the fixed JSON body given in BENCH_CEILING_BODY (what the API answers `{ __typename }`),
// with the same content type. No routing, no JSON parsing, no auth, no database: what node:http and
// the loopback cost on this machine, and so the most any API process here could answer.
// Sends `{ url }` to its parent over IPC once it listens on 127.0.0.1; SIGTERM, or its parent going away, stops it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const body = Buffer.from(process.env.BENCH_CEILING_BODY ?? '{"data":{"__typename":"Query"}}');
const server = createServer((request, response) => {
  request.resume();
  request.once("end", () => {
    response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
    response.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
// The benchmark gone (crashed, killed): nobody will stop us but ourselves.
process.once("disconnect", stop);
