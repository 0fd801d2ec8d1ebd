// Errors: the one for a command's user (UserError) and the catalogue of codes clients meet.
export { CLIENT_CODE_BY_SQLSTATE, type CatalogueEntry, type ClientCode, ERROR_CATALOGUE } from "./catalogue.ts";

/** An error whose message is the whole story for the person who ran the command: printed without a stack. */
export class UserError extends Error {
  override name = "UserError";
}
