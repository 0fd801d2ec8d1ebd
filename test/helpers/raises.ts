// Which SQLSTATEs a PL/pgSQL function raises, read from its body (pg_proc.prosrc): what
// test/db/errors-catalogue.test.ts compares with the catalogue of errors.

/** Condition names our SQL uses in `using errcode = '…'`, with their SQLSTATE (PostgreSQL's Appendix A). */
const CONDITION_NAMES: Record<string, string> = {
  check_violation: "23514",
  not_null_violation: "23502",
};

/**
 * The SQLSTATE of each `raise exception` (or `raise` with no level) statement of a PL/pgSQL body,
 * in order: from `using errcode = '…'`, `raise sqlstate '…'` or `raise <condition name>`; P0001
 * when none is given. Notices, warnings and a bare `raise;` (re-raising the caught error) are not
 * errors raised here. Throws on a condition name it does not know, so that it is added above.
 */
export function raisedIn(body: string): string[] {
  const { text, literals } = withoutLiterals(body);
  const codes: string[] = [];
  for (const [statement] of text.matchAll(/\braise\b[^;]*;/gi)) {
    const words = statement.slice(0, -1).trim().replace(/\s+/g, " ");
    const level = /^raise (debug|log|info|notice|warning|exception)\b/i.exec(words)?.[1]?.toLowerCase();
    if (level !== undefined && level !== "exception") continue;
    const rest = words.replace(/^raise( exception)?/i, "").trim();
    if (rest === "") continue;
    const literal = (index: string | undefined) => (index === undefined ? undefined : literals[Number(index)]);
    const code =
      literal(/\berrcode\s*=\s*'#(\d+)'/i.exec(rest)?.[1]) ??
      literal(/^sqlstate '#(\d+)'/i.exec(rest)?.[1]) ??
      /^([a-z_]+)\b/i.exec(rest)?.[1] ??
      "P0001";
    codes.push(sqlstateOf(code));
  }
  return codes;
}

function sqlstateOf(code: string): string {
  if (/^[0-9A-Z]{5}$/.test(code)) return code;
  const named = CONDITION_NAMES[code.toLowerCase()];
  if (!named) throw new Error(`Unknown condition name ${code} in a raise: add it to CONDITION_NAMES (test/helpers/raises.ts)`);
  return named;
}

/**
 * The body without comments, each string literal ('…' or $tag$…$tag$) replaced by `'#N'`, N its
 * index in `literals`: so a `;` or the word raise inside a message or a dynamic statement is not
 * read as code.
 */
function withoutLiterals(body: string): { text: string; literals: string[] } {
  const literals: string[] = [];
  let text = "";
  for (let i = 0; i < body.length; ) {
    const dollar = /^\$[A-Za-z_]*\$/.exec(body.slice(i, i + 64))?.[0];
    if (body.startsWith("--", i)) {
      const end = body.indexOf("\n", i);
      i = end === -1 ? body.length : end;
    } else if (body.startsWith("/*", i)) {
      i = body.indexOf("*/", i) + 2;
    } else if (body[i] === "'") {
      let end = i + 1;
      while (end < body.length && !(body[end] === "'" && body[end + 1] !== "'")) end += body[end] === "'" ? 2 : 1;
      text += `'#${literals.push(body.slice(i + 1, end).replaceAll("''", "'")) - 1}'`;
      i = end + 1;
    } else if (dollar) {
      const end = body.indexOf(dollar, i + dollar.length);
      text += `'#${literals.push(body.slice(i + dollar.length, end)) - 1}'`;
      i = end + dollar.length;
    } else {
      text += body[i];
      i += 1;
    }
  }
  return { text, literals };
}
