-- Both apps reach app_public (and only through RLS and the grants below) and
-- may run the policy helpers in app_hidden; nobody but the owner reaches app_private.
grant usage on schema app_public, app_hidden to pas_bot_user, inner_edu_user;

-- Policies call these, so every role that meets a policy may run them.
grant execute on function
  app_public.current_user_id(),
  app_hidden.my_child_ids(),
  app_hidden.current_user_kind(),
  app_hidden.my_review_quest_ids()
  to pas_bot_user, inner_edu_user;

-- A CHECK and a trigger on quests call these as the writing role.
grant execute on function
  app_hidden.quest_graph_problem(jsonb),
  app_hidden.quest_yaml(text, jsonb),
  app_hidden.yaml_item(jsonb),
  app_hidden.yaml_scalar(jsonb)
  to pas_bot_user, inner_edu_user;

-- save_quest_yaml (security invoker) reads the parent's YAML as the parent.
grant execute on function
  app_hidden.quest_graph_from_yaml(text),
  app_hidden.yaml_value(text, integer)
  to pas_bot_user;
