// Every GraphQL operation, timed and logged (grafast's `execute` middleware):
// query_duration_seconds by operation, the seed's events (quest created or
// updated, privacy settings changed, analytics accessed), and a warning for
// an operation slower than a second. The label is the operation type and its
// top-level field names — bounded by the schema, unlike client-chosen
// operation names — and nothing of the variables is logged.
import type { Request } from "express";
import { Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from "postgraphile/graphql";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { operationOf } from "../graphql/operations.ts";

const SLOW_OPERATION_SECONDS = 1;

/** The events seed 000 asks to log, by top-level field. */
const EVENTS: Record<string, string> = {
  createQuest: "quest created",
  updateQuest: "quest updated",
  saveQuestYaml: "quest updated",
  setQuestStatus: "quest status set",
  moderateQuest: "quest moderated",
  updateChildPrivacy: "privacy settings changed",
  createQuestPrivacy: "privacy settings changed",
  updateQuestPrivacy: "privacy settings changed",
  updateQuestPrivacyByChildIdAndQuestId: "privacy settings changed",
  getQuestAnalytics: "analytics accessed",
};

interface Field {
  name: string;
  alias: string;
}

function topLevelFields(operation: OperationDefinitionNode): Field[] {
  return operation.selectionSet.selections.flatMap((s) =>
    s.kind === Kind.FIELD ? [{ name: s.name.value, alias: s.alias?.value ?? s.name.value }] : [],
  );
}

/** An operation's label and top-level fields. */
interface Shape {
  label: string;
  fields: Field[];
}

const UNKNOWN: Shape = { label: "unknown", fields: [] };

/**
 * grafserv parses each distinct query text once and hands the same DocumentNode to every request that
 * sends it, so a shape is worked out once per operation node (and dropped with it).
 */
const shapes = new WeakMap<OperationDefinitionNode, Shape>();

function shapeOf(document: DocumentNode, operationName: string | null | undefined): Shape {
  const operation = operationOf(document, operationName);
  if (!operation) return UNKNOWN;
  let shape = shapes.get(operation);
  if (!shape) {
    const fields = topLevelFields(operation);
    shape = { label: `${operation.operation} ${[...new Set(fields.map((f) => f.name))].sort().join(",")}`, fields };
    shapes.set(operation, shape);
  }
  return shape;
}

export function makeTelemetryPlugin(metrics: Metrics, logger: Logger): GraphileConfig.Plugin {
  return {
    name: "TelemetryPlugin",
    version: "1.0.0",
    grafast: {
      middleware: {
        execute(next, event) {
          const started = performance.now();
          const { label, fields } = shapeOf(event.args.document, event.args.operationName);
          const req = (event.args.requestContext?.expressv4?.req ?? event.args.requestContext?.node?.req) as
            | (Request & { log?: Logger })
            | undefined;
          const log = req?.log ?? logger;
          const finish = <R>(result: R): R => {
            const seconds = (performance.now() - started) / 1000;
            // A subscription's stream has no data or errors of its own: it counts as one "ok" operation.
            const { data, errors } = (result ?? {}) as ExecutionResult;
            const outcome = errors?.length ? "error" : "ok";
            metrics.queryDuration.observe({ operation: label, outcome }, seconds);
            for (const field of fields) {
              const value = (data as Record<string, unknown> | null | undefined)?.[field.alias] as Record<string, unknown> | null | undefined;
              const failed = value === null || value === undefined;
              if (field.name === "createQuest" && !failed) metrics.questCreations.inc();
              const message = EVENTS[field.name];
              if (!message) continue;
              log.info(
                {
                  event: field.name,
                  outcome: failed ? "failed" : "ok",
                  // The consent decision, when the client asked for it (the audit log always has it).
                  ...(field.name === "getQuestAnalytics" && value && "consentStatus" in value ? { consentStatus: value.consentStatus } : {}),
                },
                message,
              );
            }
            if (seconds > SLOW_OPERATION_SECONDS) log.warn({ event: "slow_operation", operation: label, seconds }, "slow GraphQL operation");
            return result;
          };
          const result = next();
          return result instanceof Promise ? result.then(finish) : finish(result);
        },
      },
    },
  };
}
