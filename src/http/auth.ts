// GraphQL authentication (contract, "GraphQL auth"): an HS256 bearer JWT with
// `sub` (the acting user's uuid) and `exp`. The secret that verifies it decides
// the role — never a claim — so one app's token cannot act as the other app.
import type { NextFunction, Request, Response } from "express";
import jwt from "jsonwebtoken";
import type pg from "pg";
import { APPS, type AppName } from "../config.ts";
import { type ClientCode, UserError } from "../errors/index.ts";
import { isUuid } from "../uuid.ts";
import { ExpiringMemory } from "./expiringMemory.ts";

export interface AppIdentity {
  app: AppName;
  role: string;
  userId: string;
}

export type AppSecrets = Record<AppName, string>;


export class AuthError extends UserError {
  override name = "AuthError";
}

/** Which app signed the token, and who acts; throws AuthError with a message fit for the client. */
export function verifyAppToken(token: string, secrets: AppSecrets): AppIdentity {
  // Signed by this app (jsonwebtoken checks the signature first), but outside its validity period.
  let sawExpired: jwt.TokenExpiredError | undefined;
  let sawNotBefore: jwt.NotBeforeError | undefined;
  for (const app of Object.keys(APPS) as AppName[]) {
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, secrets[app], { algorithms: ["HS256"] });
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) sawExpired = e;
      else if (e instanceof jwt.NotBeforeError) sawNotBefore = e;
      else if (!(e instanceof jwt.JsonWebTokenError)) throw e;
      continue;
    }
    if (typeof claims === "string" || typeof claims.exp !== "number") {
      throw new AuthError("The token has no `exp` claim; tokens must expire.");
    }
    if (!isUuid(claims.sub)) {
      throw new AuthError("The token's `sub` claim must be the acting user's uuid.");
    }
    return { app, role: APPS[app].role, userId: claims.sub.toLowerCase() };
  }
  if (sawExpired) throw new AuthError(`The token expired at ${sawExpired.expiredAt.toISOString()}.`);
  if (sawNotBefore) {
    throw new AuthError(`The token is not valid before ${sawNotBefore.date.toISOString()} (its \`nbf\` claim): check the signer's clock.`);
  }
  throw new AuthError("The token is invalid: malformed, or not signed by either app's secret (HS256).");
}

/**
 * The longest life a token we mint may have (7 days, in seconds): a JWT cannot be revoked before it
 * expires, so a token minted by hand (`npm run token`, also in production) must not outlive a week.
 */
export const MAX_TOKEN_SECONDS = 7 * 24 * 3600;

/** An HS256 JWT (`sub` = userId) signed with the app's secret, valid `expiresInSeconds` (1 to MAX_TOKEN_SECONDS). */
export function signAppToken(
  app: AppName,
  userId: string,
  secrets: AppSecrets,
  expiresInSeconds = 3600,
): string {
  if (!isUuid(userId)) throw new AuthError(`The user id must be a uuid, got "${userId}".`);
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_TOKEN_SECONDS) {
    throw new AuthError(`A token lives 1 to ${MAX_TOKEN_SECONDS} seconds (7 days), got ${expiresInSeconds}.`);
  }
  return jwt.sign({ sub: userId }, secrets[app], { algorithm: "HS256", expiresIn: expiresInSeconds });
}

/**
 * The identity requireAppToken verified for this request, if any. It lives in `res.locals`, Express's
 * per-request store, so it ends with the request; the GraphQL preset is handed this reader (app.ts).
 */
export function identityOf(res: Response): AppIdentity | undefined {
  return (res.locals as { identity?: AppIdentity }).identity;
}

/** Express middleware: 401 with a JSON body for a missing, bad or expired token. */
export function requireAppToken(secrets: AppSecrets) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    try {
      if (!header) throw new AuthError("Authentication required: send `Authorization: Bearer <JWT>`.");
      if (!match) throw new AuthError("The Authorization header must be `Bearer <JWT>`.");
      res.locals.identity = verifyAppToken(match[1]!, secrets);
      next();
    } catch (e) {
      if (!(e instanceof AuthError)) return next(e);
      res
        .status(401)
        .set("WWW-Authenticate", 'Bearer realm="graphql"')
        .json({ errors: [{ message: e.message, extensions: { code: "UNAUTHENTICATED" satisfies ClientCode } }] });
    }
  };
}

/** A verdict on (app role, user) is reused this long: a user's kind does not change in the product. */
const ACTING_KIND_TTL_MS = 10 * 60 * 1000;
/** Past this many verdicts the memory is dropped (the database checks every statement anyway). */
const REMEMBERED_VERDICTS = 100_000;

/**
 * Express middleware after requireAppToken: 403 when the token's app may not act as its user's
 * kind (pas_bot only as a parent, psychologist or admin; inner_edu only as a child), before the
 * operation runs. The rule and its message are the database's (app_ops.acting_kind_problem), which
 * also enforces it on every statement (app_public.current_user_id, SQLSTATE ACTOR); asked at most
 * once per ten minutes per user and app. An unknown user acts as nobody and passes.
 */
export function requireActingKind(pool: pg.Pool) {
  const verdicts = new ExpiringMemory<{ problem: string | null }>(ACTING_KIND_TTL_MS, REMEMBERED_VERDICTS);
  return async (req: Request, res: Response, next: NextFunction) => {
    const identity = identityOf(res)!;
    const key = `${identity.role} ${identity.userId}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      let problem: string | null;
      try {
        const { rows } = await pool.query<{ problem: string | null }>("select app_ops.acting_kind_problem($1, $2) as problem", [
          identity.role,
          identity.userId,
        ]);
        problem = rows[0]!.problem;
      } catch (e) {
        // Unchecked is not allowed: the request waits for a database that answers.
        req.log.warn({ event: "acting_kind_unchecked", err: (e as Error).message }, "could not check the acting user's kind");
        res.status(503).json({ errors: [{ message: "The database did not answer; try again shortly.", extensions: { code: "UNAVAILABLE" satisfies ClientCode } }] });
        return;
      }
      verdict = { problem };
      verdicts.set(key, verdict);
    }
    if (verdict.problem === null) return next();
    res.status(403).json({ errors: [{ message: verdict.problem, extensions: { code: "WRONG_APP_FOR_USER" satisfies ClientCode } }] });
  };
}

/** Both apps' secrets; they must differ, or one app's tokens would pass as the other's. */
export function appSecretsFrom(secret: (name: (typeof APPS)[AppName]["secretName"]) => string): AppSecrets {
  const secrets = { pas_bot: secret(APPS.pas_bot.secretName), inner_edu: secret(APPS.inner_edu.secretName) };
  if (secrets.pas_bot === secrets.inner_edu) {
    throw new AuthError("PAS_BOT_JWT_SECRET and INNER_EDU_JWT_SECRET must differ.");
  }
  return secrets;
}
