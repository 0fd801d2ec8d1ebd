// Log redaction by field name (src/observability/logger.ts): every place a log line can carry a
// field — the line's object at three levels, a child logger's bindings (and its children's), an
// error's own fields, arrays — and nothing else is touched.
import { createLogger, REDACTED_FIELDS, redactFields } from "../../src/observability/logger.ts";
import { capturingLogger } from "../helpers/logs.ts";

const LETTER = "Dear Mia, I think of you every day";
const linesOf = (raw: string[]) => raw.join("").trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);

describe("log redaction", () => {
  test("a field named like a personal column, a token or a password is redacted at each of three levels", () => {
    const { logger, raw } = capturingLogger();
    logger.info(
      {
        content: LETTER,
        row: { display_name: "Mia", id: "kept-1" },
        req: { headers: { authorization: "Bearer abc.def", cookie: "s=1", accept: "kept-2" } },
        list: [{ title: LETTER }, "kept-3"],
        variables: { anything: "at all" },
      },
      "a line",
    );
    const [line] = linesOf(raw);
    expect(raw.join("")).not.toContain(LETTER);
    expect(raw.join("")).not.toContain("abc.def");
    expect(line).toMatchObject({
      content: "[redacted]",
      row: { display_name: "[redacted]", id: "kept-1" },
      req: { headers: { authorization: "[redacted]", cookie: "[redacted]", accept: "kept-2" } },
      list: [{ title: "[redacted]" }, "kept-3"],
      variables: "[redacted]",
    });
  });

  test("a child logger's bindings, and its child's, are redacted too", () => {
    const { logger, raw } = capturingLogger();
    logger.child({ displayName: "Mia", row: { content: LETTER } }).child({ token: "t0k3n" }).info("from a grandchild");
    expect(raw.join("")).not.toContain("Mia");
    expect(raw.join("")).not.toContain(LETTER);
    expect(raw.join("")).not.toContain("t0k3n");
    expect(linesOf(raw)[0]).toMatchObject({ displayName: "[redacted]", row: { content: "[redacted]" }, token: "[redacted]" });
  });

  test("an error's own fields are redacted once serialized; its message and type stay", () => {
    const { logger, raw } = capturingLogger();
    const error = Object.assign(new Error("insert failed"), { payload: { content: LETTER }, code: "23505" });
    logger.error({ err: error }, "failed");
    expect(raw.join("")).not.toContain(LETTER);
    expect(linesOf(raw)[0]!.err).toMatchObject({ type: "Error", message: "insert failed", code: "23505", payload: "[redacted]" });
  });

  test("an error under any key, one nested in another, a class instance and bindings set later are redacted too (break-this, issue 19)", () => {
    const { logger, raw } = capturingLogger();
    class Row {
      id = "kept-row";
      content = LETTER;
    }
    const inner = Object.assign(new Error("constraint"), { content: LETTER });
    logger.warn({ error: Object.assign(new Error("outer"), { displayName: "Mia" }), row: new Row() }, "a line");
    logger.error({ err: Object.assign(new Error("wrapped"), { original: inner }) }, "nested");
    const child = logger.child({ component: "test" });
    child.setBindings({ displayName: "Mia" });
    child.info("after setBindings");
    const output = raw.join("");
    expect(output).not.toContain(LETTER);
    expect(output).not.toContain("Mia");
    const [first, second, third] = linesOf(raw);
    expect(first).toMatchObject({ error: { type: "Error", message: "outer", displayName: "[redacted]" }, row: { id: "kept-row", content: "[redacted]" } });
    expect(second!.err).toMatchObject({ message: "wrapped", original: { message: "constraint", content: "[redacted]" } });
    expect(third).toMatchObject({ component: "test", displayName: "[redacted]" });
  });

  test("a request or a response is left to its serializer, a Date to its toJSON", () => {
    const at = new Date("2026-11-30T00:00:00Z");
    expect(redactFields({ at })).toEqual({ at });
  });

  test("the caller's object is left unchanged, and an object with nothing to redact is not copied", () => {
    const row = { content: LETTER, id: 1 };
    const logged = { row };
    expect(redactFields(logged)).toEqual({ row: { content: "[redacted]", id: 1 } });
    expect(logged.row.content).toBe(LETTER);
    const clean = { questId: "q", nested: { count: 3 } };
    expect(redactFields(clean)).toBe(clean);
  });

  test("below three levels nothing is walked (the line's own shape is bounded by the code that logs it)", () => {
    expect(redactFields({ a: { b: { c: { content: LETTER } } } })).toEqual({ a: { b: { c: { content: LETTER } } } });
  });

  test("every personal column's field name is in the set", () => {
    for (const name of ["displayName", "display_name", "content", "conversationHistory", "telegramId"]) expect(REDACTED_FIELDS.has(name)).toBe(true);
    // The level is a string pino writes itself, not a field of ours.
    expect(linesOf((() => { const c = capturingLogger(); c.logger.warn("x"); return c.raw; })())[0]!.level).toBe("warn");
  });

  test("createLogger's level option is honoured", () => {
    const chunks: string[] = [];
    const logger = createLogger({ level: "warn", destination: { write: (chunk: string) => void chunks.push(chunk) } });
    logger.info({ content: LETTER }, "dropped");
    logger.warn({ content: LETTER }, "kept");
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).not.toContain(LETTER);
  });
});
