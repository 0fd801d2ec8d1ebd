// Which operation of a GraphQL document a request runs, as graphql-js decides it: the one named by
// `operationName`, or the only one when none is named. Used to label telemetry and to route reads.
import { Kind, type DocumentNode, type OperationDefinitionNode } from "postgraphile/graphql";

/** The operation the request runs: the one named, or the only one; undefined when there is no such operation. */
export function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}
