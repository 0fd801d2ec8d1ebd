-- The worker's own role runs the job queue: it works the graphile_worker schema
-- (installed by graphile-worker itself, owned by the owner) and nothing else yet.
revoke all on schema graphile_worker from public;
grant usage on schema graphile_worker to app_worker;
grant select, insert, update, delete on all tables in schema graphile_worker to app_worker;
grant usage, select on all sequences in schema graphile_worker to app_worker;
grant execute on all functions in schema graphile_worker to app_worker;
