// A TCP server that speaks just enough of PostgreSQL's wire protocol (version 3) to pass for a server of
// a release we choose: it lets anyone in without a password and answers every simple query with one
// row, `num` (server_version_num) and `version` (server_version). No real old server is at hand, and a
// real server's version cannot be changed; this is how tests show the commands refuse one.
import { createServer, type Server, type Socket } from "node:net";

export interface FakePostgres {
  port: number;
  /** The text of every query it was sent, in order. */
  queries: string[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** A fake server on a free port of 127.0.0.1 that says it is PostgreSQL `version` (server_version_num `num`). */
export async function startFakePostgres(num: string, version: string): Promise<FakePostgres> {
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          // Startup packets: length (itself included), then a code.
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write("N");
            continue;
          }
          started = true;
          socket.write(
            Buffer.concat([
              message("R", int32(0)), // AuthenticationOk
              message("S", Buffer.concat([cstring("server_version"), cstring(version)])),
              message("S", Buffer.concat([cstring("client_encoding"), cstring("UTF8")])),
              message("K", Buffer.concat([int32(4242), int32(4242)])),
              readyForQuery(),
            ]),
          );
          continue;
        }
        // Messages: a type byte, then a length (itself included, the type byte not).
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === "X") {
          socket.end();
          return;
        }
        if (type !== "Q") {
          socket.write(Buffer.concat([errorResponse(`the fake server answers only simple queries, not "${type}"`), readyForQuery()]));
          continue;
        }
        queries.push(body.subarray(0, body.length - 1).toString("utf8"));
        socket.write(
          Buffer.concat([
            message("T", Buffer.concat([int16(2), field("num"), field("version")])),
            message("D", Buffer.concat([int16(2), value(num), value(version)])),
            message("C", cstring("SELECT 1")),
            readyForQuery(),
          ]),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstring = (s: string) => Buffer.concat([Buffer.from(s, "utf8"), Buffer.from([0])]);
const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
const readyForQuery = () => message("Z", Buffer.from("I"));
/** A text column (oid 25) of no table. */
const field = (name: string) => Buffer.concat([cstring(name), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)]);
const value = (text: string) => {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([int32(bytes.length), bytes]);
};
const errorResponse = (text: string) =>
  message("E", Buffer.concat([Buffer.from("S"), cstring("ERROR"), Buffer.from("C"), cstring("0A000"), Buffer.from("M"), cstring(text), Buffer.from([0])]));
