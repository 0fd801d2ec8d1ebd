--! Previous: sha1:5d6ba46a7a1920341b877757f8028a2625028b27
--! Hash: sha1:cafb2a51571bbc5455fc6a78191ab373e0a389e2
--! Message: Issue 18: keyed jobs lose no request (graphile/worker#580): app_private.job_requests, written by app_jobs.request_job in the requester's transaction, taken by every run first

--! split: 1-current.sql
-- Enter migration here: idempotent (it is re-run on every change in watch mode).

-- Requests for keyed jobs (issue 18, item 1; graphile/worker issue 580): a row per job key that has a request
-- not yet taken by a run of that job. The request is written in the requester's transaction, before the job is
-- queued, so a run that starts takes the row lock after it and waits for that transaction to commit: it cannot
-- miss a write whose own add_job was swallowed by the run locking the job at that moment.
-- Written and read only through app_jobs.request_job and app_jobs.take_job_requests (security definer); no
-- role is granted the table.
create table if not exists app_private.job_requests (
  job_key text primary key,
  requested_at timestamptz not null default now()
);
comment on table app_private.job_requests is
  'Keyed jobs requested and not yet taken by a run (app_jobs.request_job writes, app_jobs.take_job_requests clears). Source: issue 18 item 1, graphile/worker#580.';
