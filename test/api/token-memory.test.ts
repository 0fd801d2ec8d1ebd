// requireAppToken remembers tokens it verified (src/http/auth.ts): a remembered token must still be refused
// the second its `exp` passes, exactly as an unremembered one is, and only the exact bytes it verified are
// remembered. The clock is moved with a spy on Date.now, which jsonwebtoken reads too.
import { jest } from "@jest/globals";
import jwt from "jsonwebtoken";
import type { NextFunction, Request, Response } from "express";
import { requireAppToken } from "../../src/http/auth.ts";

const secrets = { pas_bot: "pas-bot-secret-for-this-test-only", inner_edu: "inner-edu-secret-for-this-test-only" };
const USER = "0b7e6c1e-2f7a-4d3b-9a51-6f7d9b1c2e3a";

/** Runs the middleware once; the HTTP status it answered with (200 when it called next). */
function ask(middleware: ReturnType<typeof requireAppToken>, token: string): { status: number; message?: string; userId?: string } {
  let status = 200;
  let message: string | undefined;
  const res = {
    locals: {} as Record<string, any>,
    status(code: number) {
      status = code;
      return this;
    },
    set() {
      return this;
    },
    json(body: { errors: Array<{ message: string }> }) {
      message = body.errors[0]!.message;
      return this;
    },
  };
  middleware({ headers: { authorization: `Bearer ${token}` } } as Request, res as unknown as Response, (() => {}) as NextFunction);
  return { status, message, userId: res.locals.identity?.userId };
}

afterEach(() => jest.restoreAllMocks());

describe("requireAppToken's memory of verified tokens", () => {
  test("a remembered token is refused once its exp has passed", () => {
    const start = Date.UTC(2026, 10, 30, 12, 0, 0);
    const clock = jest.spyOn(Date, "now").mockReturnValue(start);
    const exp = start / 1000 + 60;
    const token = jwt.sign({ sub: USER, exp, iat: start / 1000 }, secrets.pas_bot);
    const middleware = requireAppToken(secrets);
    expect(ask(middleware, token)).toMatchObject({ status: 200, userId: USER });
    clock.mockReturnValue(start + 59_999);
    expect(ask(middleware, token)).toMatchObject({ status: 200, userId: USER });
    clock.mockReturnValue(start + 60_000);
    expect(ask(middleware, token)).toMatchObject({ status: 401, message: expect.stringMatching(/^The token expired at/) });
  });

  test("a token differing from a remembered one only in its signature is verified, and refused", () => {
    const token = jwt.sign({ sub: USER }, secrets.pas_bot, { expiresIn: 600 });
    const middleware = requireAppToken(secrets);
    expect(ask(middleware, token).status).toBe(200);
    const [header, payload, signature] = token.split(".");
    const forged = `${header}.${payload}.${signature!.startsWith("A") ? "B" : "A"}${signature!.slice(1)}`;
    expect(ask(middleware, forged)).toMatchObject({ status: 401, message: expect.stringMatching(/^The token is invalid/) });
  });

  test("each app's tokens are told apart, remembered or not", () => {
    const middleware = requireAppToken(secrets);
    const child = "5f0c2d9e-8a7b-4c1d-b2e3-9f8a7b6c5d4e";
    const pasBot = jwt.sign({ sub: USER }, secrets.pas_bot, { expiresIn: 600 });
    const innerEdu = jwt.sign({ sub: child }, secrets.inner_edu, { expiresIn: 600 });
    for (let i = 0; i < 2; i++) {
      expect(ask(middleware, pasBot).userId).toBe(USER);
      expect(ask(middleware, innerEdu).userId).toBe(child);
    }
  });
});
