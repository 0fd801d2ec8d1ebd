// GraphQL authentication (contract, "GraphQL auth"): an HS256 bearer JWT with
// `sub` (the acting user's uuid) and `exp`. The secret that verifies it decides
// the role — never a claim — so one app's token cannot act as the other app.
import { createSecretKey, type KeyObject } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import jwt from "jsonwebtoken";
import type pg from "pg";
import { APPS, type AppName, DEFAULT_JWT_MAX_LIFETIME_SECONDS } from "../config.ts";
import { type ClientCode, UserError } from "../errors/index.ts";
import { databaseUnavailability } from "../db/pool.ts";
import { isUuid } from "../uuid.ts";
import { ExpiringMemory } from "./expiringMemory.ts";
import { sendUnavailable } from "./unavailable.ts";

export interface AppIdentity {
  app: AppName;
  role: string;
  userId: string;
}

export type AppSecrets = Record<AppName, string>;

/**
 * Each app's HMAC key, made once from its secret. Given a string, jsonwebtoken first tries it as a public
 * key (`createPublicKey`, which throws) and then makes a secret key, on every call: about a sixth of a light
 * request's CPU time (BENCHMARKS.md, "Where a request's time goes").
 */
export type AppKeys = Record<AppName, KeyObject>;

export function appKeysOf(secrets: AppSecrets): AppKeys {
  return { pas_bot: createSecretKey(secrets.pas_bot, "utf8"), inner_edu: createSecretKey(secrets.inner_edu, "utf8") };
}


export class AuthError extends UserError {
  override name = "AuthError";
}

/** What verifyAppToken accepts beyond a valid signature and an `exp` not yet past. */
export interface TokenLimits {
  /** The longest life a token may have, in seconds (JWT_MAX_LIFETIME_SECONDS; default MAX_TOKEN_SECONDS): see tokenLifetimeProblem. */
  maxLifetimeSeconds?: number;
}

/**
 * How far ahead of this server's clock a token's `iat` may be (the signer's clock running fast), in
 * seconds. Only `iat` gets it: `exp` and `nbf` are checked to the second, as jsonwebtoken does by default.
 */
export const IAT_CLOCK_SKEW_SECONDS = 60;

/**
 * Which app signed the token, and who acts; throws AuthError with a message fit for the client. Give it
 * the apps' keys (appKeysOf) when it verifies many tokens; their secrets do for a one-off.
 */
export function verifyAppToken(token: string, secrets: AppSecrets | AppKeys, limits: TokenLimits = {}): AppIdentity {
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
    // jsonwebtoken checks iat's type only when asked for a maxAge: a string or object here would make the
    // lifetime NaN, which no limit refuses.
    if (claims.iat !== undefined && !Number.isFinite(claims.iat)) {
      throw new AuthError("The token's `iat` claim must be a number of seconds since 1970 (NumericDate).");
    }
    const tooLong = tokenLifetimeProblem(claims.exp, claims.iat, limits.maxLifetimeSeconds ?? MAX_TOKEN_SECONDS);
    if (tooLong) throw new AuthError(tooLong);
    if (!isUuid(claims.sub)) {
      throw new AuthError("The token's `sub` claim must be the acting user's uuid.");
    }
    return { app, role: APPS[app].role, userId: claims.sub.toLowerCase() };
  }
  if (sawExpired) throw new AuthError(`The token expired at ${isoOrRaw(sawExpired.expiredAt)}.`);
  if (sawNotBefore) {
    throw new AuthError(`The token is not valid before ${isoOrRaw(sawNotBefore.date)} (its \`nbf\` claim): check the signer's clock.`);
  }
  throw new AuthError("The token is invalid: malformed, or not signed by either app's secret (HS256).");
}

/** A date for a message; one outside JavaScript's range (an `exp` of -1e13) as "a date out of range", not a RangeError. */
function isoOrRaw(date: Date): string {
  return Number.isNaN(date.getTime()) ? "a date out of range" : date.toISOString();
}

/**
 * A validly signed token that lives too long (a JWT cannot be revoked before it expires, so one with
 * `exp` in the year 3000 is a key for ever), or was issued in the future: the 401 message, or undefined.
 * The life is `exp − iat` when the token has an `iat`: what the signer declared, the same answer
 * whenever the token is shown. Without `iat` (the contract requires only `sub` and `exp`) nothing says
 * when it was issued, so what is left of it, `exp − now`, must be within the limit. An `iat` more than
 * IAT_CLOCK_SKEW_SECONDS ahead of our clock is refused, so either way no token we accept expires later
 * than now + the limit (+ the skew). `iat` is a finite number here (verifyAppToken refuses any other).
 */
export function tokenLifetimeProblem(exp: number, iat: number | undefined, maxLifetimeSeconds: number, now = Date.now() / 1000): string | undefined {
  const limit = `the ${seconds(maxLifetimeSeconds)} this server accepts (JWT_MAX_LIFETIME_SECONDS): sign tokens that expire sooner.`;
  if (iat === undefined) {
    const left = Math.ceil(exp - now);
    return left > maxLifetimeSeconds ? `The token expires too far ahead: its \`exp\` (${instant(exp)}) is ${seconds(left)} away and it has no \`iat\`, more than ${limit}` : undefined;
  }
  if (iat > now + IAT_CLOCK_SKEW_SECONDS) {
    return `The token was issued in the future (its \`iat\`, ${instant(iat)}, is ${seconds(Math.round(iat - now))} ahead of this server's clock): check the signer's clock.`;
  }
  const life = exp - iat;
  return life > maxLifetimeSeconds ? `The token lives too long: ${seconds(life)} from its \`iat\` to its \`exp\` (${instant(exp)}), more than ${limit}` : undefined;
}

/** A claim's time as ISO 8601, or the number itself when no Date holds it. */
function instant(claim: number): string {
  const date = new Date(claim * 1000);
  return Number.isNaN(date.getTime()) ? `${claim} s after 1970` : date.toISOString();
}

/** "604800 s (7 days)", "3600 s". */
function seconds(value: number): string {
  const days = value / 86_400;
  return value >= 86_400 ? `${value} s (${Number.isInteger(days) ? days : days.toFixed(1)} days)` : `${value} s`;
}

/**
 * The longest life a token we mint may have (7 days, in seconds): a JWT cannot be revoked before it
 * expires, so a token minted by hand (`npm run token`, also in production) must not outlive a week.
 * The server accepts, by default, the same (JWT_MAX_LIFETIME_SECONDS).
 */
export const MAX_TOKEN_SECONDS = DEFAULT_JWT_MAX_LIFETIME_SECONDS;

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

/** A verified token is remembered this long at most (and never past its `exp`). */
const VERIFIED_TOKEN_TTL_MS = 10 * 60 * 1000;
/** Past this many remembered tokens the memory is dropped (they are verified again). */
const REMEMBERED_TOKENS = 100_000;

/** A verified token's `exp` in milliseconds since 1970 (verifyAppToken made sure it is a number). */
function expiryMsOf(token: string): number {
  return ((jwt.decode(token) as jwt.JwtPayload).exp as number) * 1000;
}

/**
 * Express middleware: 401 with a JSON body for a missing, bad, expired or too long-lived token. A token it
 * verified is remembered (up to ten minutes, never past its `exp`): a client sends the same token with many
 * requests, and the HMAC and JSON decoding were about a tenth of a light request's CPU time.
 */
export function requireAppToken(secrets: AppSecrets, limits: TokenLimits = {}) {
  const keys = appKeysOf(secrets);
  const verified = new ExpiringMemory<{ identity: AppIdentity; expiresAtMs: number }>(VERIFIED_TOKEN_TTL_MS, REMEMBERED_TOKENS);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    try {
      if (!header) throw new AuthError("Authentication required: send `Authorization: Bearer <JWT>`.");
      if (!match) throw new AuthError("The Authorization header must be `Bearer <JWT>`.");
      const token = match[1]!;
      // A token verified before is the same bytes with the same signature: only its expiry can have
      // changed since, and it is checked here as jsonwebtoken checks it (to the second).
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAtMs) {
        res.locals.identity = known.identity;
      } else {
        const identity = verifyAppToken(token, keys, limits);
        verified.set(token, { identity, expiresAtMs: expiryMsOf(token) });
        res.locals.identity = identity;
      }
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
        // Unchecked is not allowed: 503 + Retry-After, the client comes back when the database answers.
        const unavailable = databaseUnavailability(e) ?? { reason: "database_unreachable", commitOutcomeUnknown: false };
        req.log.warn({ event: "acting_kind_unchecked", reason: unavailable.reason, err: (e as Error).message }, "could not check the acting user's kind");
        sendUnavailable(res, unavailable);
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
