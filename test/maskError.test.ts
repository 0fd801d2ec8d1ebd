import { GraphQLError } from "postgraphile/graphql";
import { maskError } from "../src/graphql/maskError.ts";

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

test("any other error is masked: no internal detail, an id to find it in the log", () => {
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const masked = maskError(wrap(Object.assign(new Error("connection to 10.0.0.3 refused, password=hunter2"), { code: "08006" })));
    expect(masked.message).toMatch(/^An error occurred \(logged with hash: '\w+', id: '\w+'\)$/);
    expect(JSON.stringify(masked.extensions)).not.toMatch(/hunter2/);
    expect(String(logged[0]?.[0])).toMatch(/^Masked GraphQL error/);
  } finally {
    console.error = consoleError;
  }
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
