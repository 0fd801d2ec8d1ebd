-- The API's probes (/readyz), /metrics and its activity marks run as
-- app_authenticator itself, before any switch into an app role: it may run
-- app_ops's functions, and nothing else of ours directly (each returns counts
-- and ids only, or marks a user active; migrations 000013, 000016 and 000017).
grant usage on schema app_ops to app_authenticator;
grant execute on function
  app_ops.readiness(),
  app_ops.job_counts(),
  app_ops.erasure_queue(),
  app_ops.privacy_checks_after(bigint),
  app_ops.record_activity(uuid),
  app_ops.data_keys_by_master_key(),
  -- Whether the token's app may act as its user's kind: HTTP 403 before the request runs.
  app_ops.acting_kind_problem(text, uuid)
  to app_authenticator;

-- A standalone worker's /metrics (METRICS_PORT) reads the queue the same way;
-- the key rotation job reports how many data keys are left.
grant usage on schema app_ops to app_worker;
grant execute on function app_ops.job_counts(), app_ops.erasure_queue(), app_ops.data_keys_by_master_key() to app_worker;
