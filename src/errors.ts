/** An error whose message is the whole story for the person who ran the command: printed without a stack. */
export class UserError extends Error {
  override name = "UserError";
}
