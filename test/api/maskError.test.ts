import { GraphQLError } from "postgraphile/graphql";
import { makeMaskError } from "../../src/graphql/maskError.ts";
import { capturingLogger } from "../helpers/logs.ts";

const logs = capturingLogger();
const maskError = makeMaskError(logs.logger);

const wrap = (originalError: Error) => new GraphQLError(originalError.message, { originalError });

test("a broken database rule keeps its message and gets a stable code", () => {
  const dbError = Object.assign(new Error('duplicate key value violates unique constraint "quest_ratings_one_per_user_and_quest"'), {
    code: "23505",
    constraint: "quest_ratings_one_per_user_and_quest",
  });
  const masked = maskError(wrap(dbError));
  expect(masked.message).toBe(dbError.message);
  expect(masked.extensions).toEqual({ code: "UNIQUE_VIOLATION", constraint: "quest_ratings_one_per_user_and_quest" });
});

test("any other error is masked: the client gets an id, the log gets the id and the error's kind, never its text", () => {
  // (A connection failure, 08xxx, is not masked but answered with 503 and a text of ours: test/api/outage.test.ts.)
  const masked = maskError(
    wrap(Object.assign(new Error("connection to 10.0.0.3 refused, password=hunter2"), { code: "XX000", routine: "connectFailure" })),
  );
  expect(masked.message).toMatch(/^An error occurred \(logged with id: '[\w-]+'\)$/);
  expect(masked.extensions).toEqual({});
  const errorId = /id: '([\w-]+)'/.exec(masked.message)![1];
  const line = logs.lines.find((l) => l.errorId === errorId);
  expect(line).toMatchObject({ level: "error", msg: "masked GraphQL error", error: { name: "Error", code: "XX000", routine: "connectFailure" } });
  expect(logs.raw.join("")).not.toMatch(/hunter2|10\.0\.0\.3/);
});

test.each([
  ["P0002", "No quest 5 of yours.", "NOT_FOUND"],
  ["22023", "A moderation decision is approved, rejected or flagged.", "INVALID_PARAMETER"],
  ["57014", "canceling statement due to statement timeout", "QUERY_CANCELED"],
])("SQLSTATE %s keeps its message (%s) under code %s", (code, message, expected) => {
  const masked = maskError(wrap(Object.assign(new Error(message), { code })));
  expect(masked.message).toBe(message);
  expect(masked.extensions).toEqual({ code: expected });
});
