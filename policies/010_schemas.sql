-- Both apps reach app_public (and only through RLS and the grants below);
-- nobody but the owner reaches app_private.
grant usage on schema app_public to pas_bot_user, inner_edu_user;

-- Every policy calls it, so every role that meets a policy may run it.
grant execute on function app_public.current_user_id() to pas_bot_user, inner_edu_user;
