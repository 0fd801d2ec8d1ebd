-- Keyed jobs without lost requests (issue 18, item 1). graphile-worker's add_job with a job_key returns
-- without queuing anything when a worker locks the existing job between add_job's two statements
-- (graphile/worker issue 580): the run that is starting may have read the database before the requester's
-- transaction commits, so the write it was asked to act on would wait for the nightly recompute.
-- Every keyed job is therefore queued through app_jobs.request_job, which first records the request in
-- app_private.job_requests in the requester's transaction, and every run of a keyed job first calls
-- app_jobs.take_job_requests (src/worker/jobRequests.ts), which waits for those transactions to commit.
-- A request made after that point finds the job locked, and add_job queues a new run for it.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.

CREATE OR REPLACE FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, job_key_mode text DEFAULT 'replace'::text, max_attempts integer DEFAULT NULL::integer)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if request_job.job_key is null or request_job.job_key = '' then
    raise exception 'app_jobs.request_job needs a job key; queue a job without one with graphile_worker.add_job'
      using errcode = '22004';
  end if;
  -- unsafe_dedupe leaves a request made during a run without a run of its own: refused.
  if request_job.job_key_mode is distinct from 'replace' and request_job.job_key_mode is distinct from 'preserve_run_at' then
    raise exception 'app_jobs.request_job: job_key_mode % is not accepted (replace or preserve_run_at)', quote_nullable(request_job.job_key_mode)
      using errcode = '22023';
  end if;
  -- The request row first: it stays locked by this transaction until it ends, and a run that starts meanwhile
  -- waits for it (take_job_requests), whatever add_job below does.
  insert into app_private.job_requests as r (job_key) values (request_job.job_key)
  on conflict on constraint job_requests_pkey do update set requested_at = excluded.requested_at;
  -- Tells the jobs table's trigger (tg_jobs__keyed_job_needs_request) that this add_job comes from here: a request
  -- row alone would also let through another transaction's add_job while this request waits for its run.
  perform set_config('app.requesting_job', request_job.job_key, true);
  perform graphile_worker.add_job(request_job.identifier, request_job.payload,
                                  run_at => request_job.run_at,
                                  job_key => request_job.job_key,
                                  job_key_mode => request_job.job_key_mode,
                                  max_attempts => request_job.max_attempts);
  perform set_config('app.requesting_job', '', true);
end;
$function$;
comment on function app_jobs.request_job(text,json,text,timestamp with time zone,text,integer) is 'Queues a keyed graphile-worker job (arguments as graphile_worker.add_job''s; job_key required) so that no request is lost: records it in app_private.job_requests, in the caller''s transaction, then calls add_job. The run waits for that transaction (app_jobs.take_job_requests). Errors: 22004 without a job key; 22023 for a job_key_mode other than replace or preserve_run_at (unsafe_dedupe would drop a request made during a run). Source: issue 18 item 1, graphile/worker#580.';

CREATE OR REPLACE FUNCTION app_jobs.take_job_requests(job_key text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  -- The upsert needs the request's row, so it waits for every transaction that inserted or updated it and has
  -- not ended; once it returns, their writes are visible to the run's next statements.
  insert into app_private.job_requests as r (job_key) values (take_job_requests.job_key)
  on conflict on constraint job_requests_pkey do update set requested_at = r.requested_at;
  delete from app_private.job_requests r where r.job_key = take_job_requests.job_key;
end;
$function$;
comment on function app_jobs.take_job_requests(text) is 'Called at the start of every run of a keyed job (src/worker/jobRequests.ts), in a transaction of its own: waits until every transaction that requested the job (app_jobs.request_job) has ended, then clears the request. Blocks only on those requesters (bounded by their statement and transaction timeouts); raises nothing of its own. Source: issue 18 item 1.';

CREATE OR REPLACE FUNCTION app_private.tg_jobs__keyed_job_needs_request()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  -- Set by app_jobs.request_job around its own add_job, transaction-local (and rolled back with a savepoint).
  if coalesce(current_setting('app.requesting_job', true), '') is distinct from new.key then
    raise exception 'The keyed job % (%) was queued without app_jobs.request_job: graphile-worker could drop it (graphile/worker issue 580). Queue it with app_jobs.request_job (same arguments as add_job).',
      quote_literal(new.key), (select t.identifier from graphile_worker._private_tasks t where t.id = new.task_id)
      using errcode = 'JOB01';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_jobs__keyed_job_needs_request() is 'BEFORE INSERT or UPDATE OF key of graphile_worker._private_jobs, for a keyed job: refuses (SQLSTATE JOB01) one not queued by app_jobs.request_job itself (it names the key in the transaction-local setting app.requesting_job while it calls add_job), i.e. queued around it (graphile_worker.add_job/add_jobs with a job key, graphile-worker''s addJob with a jobKey), whichever client did it. Source: issue 18 item 1.';

CREATE OR REPLACE TRIGGER _100_keyed_job_needs_request BEFORE INSERT OR UPDATE OF key ON graphile_worker._private_jobs FOR EACH ROW WHEN ((new.key IS NOT NULL)) EXECUTE FUNCTION app_private.tg_jobs__keyed_job_needs_request();
