"""Runs docs/direct-sql.md's module (direct_sql.py, on PYTHONPATH) against a database holding
test/helpers/world.ts's two families, and prints one JSON object of what each app role saw.

Usage: python3 direct_sql_scenarios.py '{"parentA": uuid, "childA": uuid, "parentB": uuid, "childB": uuid}'
Connection: libpq's PG* variables, the role passwords and DATA_ENCRYPTION_KEY, as the doc reads them.
The assertions are test/ops/direct-sql-python.test.ts's; this script only reports.
"""
import json
import logging
import os
import sys

import psycopg2
from sqlalchemy import text

import direct_sql as doc

W = json.loads(sys.argv[1])
out = {}


def refusal(run):
    """What `run()` raised, as {sqlstate, message}: psycopg2's error, or the one SQLAlchemy wraps."""
    try:
        run()
    except Exception as error:  # the report says which kind
        pg_error = getattr(error, "orig", error)
        diag = getattr(pg_error, "diag", None)
        return {
            "type": type(error).__name__,
            "sqlstate": getattr(pg_error, "pgcode", None),
            "message": diag.message_primary if diag else str(error),
        }
    return None


def rows_as(conn, user_id, sql, params=()):
    with doc.acting_as(conn, user_id) as cur:
        cur.execute(sql, params)
        return [list(row) for row in cur.fetchall()]


def letter_rows(rows):
    return [{"user_id": str(r[1]), "child_id": str(r[2]), "content": r[3]} for r in rows]


# --- psycopg2 ---------------------------------------------------------------------------------
parent = doc.connect("pas_bot_user")
child = doc.connect("inner_edu_user")
doc.write_letter(parent, W["parentA"], W["childA"], "written from Python")
out["parentA_letters"] = letter_rows(doc.my_letters(parent, W["parentA"]))
out["parentB_letters"] = letter_rows(doc.my_letters(parent, W["parentB"]))
out["childA_progress"] = rows_as(child, W["childA"], "select child_id::text from app_public.quest_progress")
out["childA_play"] = rows_as(child, W["childA"], "select child_id::text from app_public.child_progress")
out["letter_to_other_child"] = refusal(lambda: doc.write_letter(parent, W["parentA"], W["childB"], "not yours"))
out["parent_reads_play"] = refusal(lambda: rows_as(parent, W["parentA"], "select * from app_public.child_progress"))
out["insert_naming_user_id"] = refusal(
    lambda: rows_as(parent, W["parentA"], "insert into app_public.letters (user_id) values (%s) returning id", (W["parentB"],))
)
out["pas_bot_as_child"] = refusal(lambda: rows_as(parent, W["childA"], "select * from app_public.letters"))
with doc.acting_as(parent, W["parentA"]) as cur:
    cur.execute("update app_public.goals set title = 'taken over' where user_id = %s", (W["parentB"],))
    out["update_other_goals_rowcount"] = cur.rowcount
out["stale_version"] = refusal(
    lambda: rows_as(parent, W["parentA"], "update app_public.goals set title = 'renamed', version = version - 1 returning id")
)
# The same connection again, in a transaction that says nobody acts.
with parent, parent.cursor() as cur:
    cur.execute(
        "select current_setting('app.user_id', true),"
        " (select count(*) from app_public.letters), (select count(*) from app_public.goals),"
        " (select count(*) from app_public.users)"
    )
    setting, letters, goals, users = cur.fetchone()
    out["psycopg2_nobody"] = {"app_user_id": setting or "", "letters": letters, "goals": goals, "users": users}
keyless = psycopg2.connect(user="pas_bot_user", password=os.environ["PAS_BOT_DB_PASSWORD"])
out["without_master_key"] = refusal(lambda: doc.my_letters(keyless, W["parentA"]))
for conn in (parent, child, keyless):
    conn.close()

# --- SQLAlchemy ---------------------------------------------------------------------------------
# SQLAlchemy's statement log on stderr: the test checks that it names no parameter value.
logging.basicConfig(stream=sys.stderr)
logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
# One pooled connection, so the next transaction surely reuses the one parent A's just used.
engine = doc.make_engine("pas_bot_user", pool_size=1, max_overflow=0)
out["orm_parentA_letters"] = [
    {"user_id": str(r["user_id"]), "child_id": str(r["child_id"]), "content": r["content"]}
    for r in doc.my_letters_orm(engine, W["parentA"])
]
with doc.AppSession(bind=engine, info={"user_id": W["parentA"]}) as session, session.begin():
    pid_as_parent = session.execute(text("select pg_backend_pid()")).scalar_one()
with engine.connect() as conn:
    row = conn.execute(
        text(
            "select pg_backend_pid() as pid, coalesce(current_setting('app.user_id', true), '') as app_user_id,"
            " (select count(*) from app_public.letters) as letters"
        )
    ).mappings().one()
    out["orm_next_transaction"] = {
        "same_connection": row["pid"] == pid_as_parent,
        "app_user_id": row["app_user_id"],
        "letters": row["letters"],
    }


def session_without_user():
    with doc.AppSession(bind=engine) as session, session.begin():
        session.execute(text("select 1"))


out["orm_without_user"] = refusal(session_without_user)


def orm_letter_to_other_child():
    with doc.AppSession(bind=engine, info={"user_id": W["parentA"]}) as session, session.begin():
        session.execute(
            text("insert into app_public.letters (child_id, content) values (:child, :content)"),
            {"child": W["childB"], "content": "not yours either"},
        )


out["orm_letter_to_other_child"] = refusal(orm_letter_to_other_child)
engine.dispose()

print(json.dumps(out))
