-- A quest as YAML, both ways (save_quest_yaml and the app_hidden parser and printer it uses): kept
-- apart from the flows because it is a small language of its own.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_hidden.yaml_scalar(value jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$ select coalesce(value::text, 'null') $function$;

CREATE OR REPLACE FUNCTION app_hidden.quest_yaml(title text, graph jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
AS $function$
  select concat_ws(E'\n',
    '# Generated from graph_structure; edit the graph (or save this text with save_quest_yaml).',
    'title: ' || yaml_scalar(to_jsonb(title)),
    'nodes:' || case when jsonb_array_length(graph -> 'nodes') = 0 then ' []' else '' end,
    (select string_agg(yaml_item(n), E'\n' order by ord) from jsonb_array_elements(graph -> 'nodes') with ordinality as t(n, ord)),
    'edges:' || case when jsonb_array_length(graph -> 'edges') = 0 then ' []' else '' end,
    (select string_agg(yaml_item(e), E'\n' order by ord) from jsonb_array_elements(graph -> 'edges') with ordinality as t(e, ord))
  ) || E'\n'
$function$;
comment on function app_hidden.quest_yaml(text,jsonb) is 'The YAML form of a quest graph (kept in quests.yaml_content by trigger).';

CREATE OR REPLACE FUNCTION app_hidden.yaml_item(item jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
AS $function$
  select string_agg(case when ord = 1 then '  - ' else '    ' end
                    || case when key ~ '^[A-Za-z_][A-Za-z0-9_-]*$' then key else yaml_scalar(to_jsonb(key)) end
                    || ': ' || yaml_scalar(value), E'\n' order by ord)
  from (
    select key, value, row_number() over (
             order by array_position(array['id', 'type', 'source', 'target', 'label', 'data'], key) nulls last, key) as ord
    from jsonb_each(item)
  ) as keys
$function$;
comment on function app_hidden.yaml_item(jsonb) is 'A node or edge as a YAML block-sequence item, one key per line.';

CREATE OR REPLACE FUNCTION app_hidden.yaml_value(text text, line_number integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  value text := btrim(text);
begin
  if left(value, 1) in ('"', '{', '[') then
    begin
      return value::jsonb;
    exception when invalid_text_representation then
      raise exception 'Line %: % is not a valid flow value (write it as JSON).', line_number, left(value, 60)
        using errcode = '22P02';
    end;
  elsif left(value, 1) = '''' then
    if length(value) < 2 or right(value, 1) <> '''' then
      raise exception 'Line %: the single-quoted string % is not closed.', line_number, left(value, 60) using errcode = '22P02';
    end if;
    return to_jsonb(replace(substr(value, 2, length(value) - 2), '''''', ''''));
  end if;
  value := btrim(regexp_replace(value, '\s#.*$', ''));
  if value in ('', '~', 'null', 'Null', 'NULL') then return 'null'; end if;
  if value in ('true', 'True', 'TRUE') then return 'true'; end if;
  if value in ('false', 'False', 'FALSE') then return 'false'; end if;
  if value ~ '^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$' then return value::jsonb; end if;
  return to_jsonb(value);
end;
$function$;
comment on function app_hidden.yaml_value(text,integer) is 'One YAML scalar or flow value as JSON; a malformed one is refused with its line number.';

CREATE OR REPLACE FUNCTION app_hidden.quest_graph_from_yaml(yaml text)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
AS $function$
declare
  lines text[] := string_to_array(replace(coalesce(yaml, ''), E'\r', ''), E'\n');
  line text;
  n integer := 0;
  parts text[];
  document jsonb;
  title jsonb;
  lists jsonb := '{}';
  list text;             -- the block sequence being read: nodes or edges
  item jsonb;            -- the item being read (also the list's last element)
  item_indent integer;   -- column of an item's keys
begin
  if btrim(coalesce(yaml, ''), E' \t\r\n') = '' then
    raise exception 'The quest YAML is empty.' using errcode = '22P02';
  end if;
  if left(btrim(yaml, E' \t\r\n'), 1) = '{' then
    document := yaml_value(yaml, 1);
    if jsonb_typeof(document) <> 'object' then
      raise exception 'A JSON quest document is an object with "title", "nodes" and "edges".' using errcode = '22P02';
    end if;
    return jsonb_build_object('title', document -> 'title',
                              'graph', jsonb_build_object('nodes', document -> 'nodes', 'edges', document -> 'edges'));
  end if;

  foreach line in array lines loop
    n := n + 1;
    if line ~ '^\s*(#.*)?$' then
      continue;
    end if;
    if line ~ '^---\s*$' and n = 1 then
      continue;
    end if;
    if line ~ E'\t' then
      raise exception 'Line %: YAML is indented with spaces, not tabs.', n using errcode = '22P02';
    end if;

    parts := regexp_match(line, '^(\s*)(- )?\s*([A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*"):(\s+(.*))?$');
    if parts is null then
      raise exception 'Line %: expected "key: value", got %.', n, left(btrim(line), 60) using errcode = '22P02';
    end if;
    if left(parts[3], 1) = '"' then
      parts[3] := parts[3]::jsonb #>> '{}';
    end if;

    if parts[2] is not null or (item is not null and length(parts[1]) = item_indent) then
      -- A key of a node or edge.
      if list is null then
        raise exception 'Line %: a list item outside "nodes:" or "edges:".', n using errcode = '22P02';
      end if;
      if parts[2] is not null then
        item := '{}';
        lists := jsonb_set(lists, array[list], (lists -> list) || jsonb_build_array(item));
        item_indent := length(parts[1]) + 2;
      end if;
      if item ? parts[3] then
        raise exception 'Line %: "%" appears twice in one item.', n, parts[3] using errcode = '22P02';
      end if;
      if coalesce(parts[5], '') = '' then
        raise exception 'Line %: "%" has no value; write nested values on one line as JSON, e.g. {"text": "Hello"}.', n, parts[3]
          using errcode = '22P02';
      end if;
      item := item || jsonb_build_object(parts[3], yaml_value(parts[5], n));
      lists := jsonb_set(lists, array[list, '-1'], item);
      continue;
    end if;

    if parts[1] <> '' then
      raise exception 'Line %: unexpected indentation (nested blocks are not supported; write nested values as JSON).', n
        using errcode = '22P02';
    end if;
    -- A top-level key closes the list being read.
    item := null;
    list := null;
    if parts[3] = 'title' then
      title := yaml_value(coalesce(parts[5], ''), n);
    elsif parts[3] in ('nodes', 'edges') then
      if lists ? parts[3] then
        raise exception 'Line %: "%" appears twice.', n, parts[3] using errcode = '22P02';
      end if;
      if coalesce(parts[5], '') = '' then
        list := parts[3];
        lists := lists || jsonb_build_object(list, '[]'::jsonb);
      else
        lists := lists || jsonb_build_object(parts[3], yaml_value(parts[5], n));
      end if;
    else
      raise exception 'Line %: unknown key "%"; a quest''s YAML has title, nodes and edges.', n, parts[3] using errcode = '22P02';
    end if;
  end loop;

  -- A document without its lists would silently empty the quest.
  if not (lists ? 'nodes' and lists ? 'edges') then
    raise exception 'The quest YAML needs a "nodes:" and an "edges:" list (write "edges: []" for none).' using errcode = '22P02';
  end if;
  return jsonb_build_object('title', title, 'graph', lists);
end;
$function$;
comment on function app_hidden.quest_graph_from_yaml(text) is 'Reads a quest''s YAML (the shape yaml_content has, or a JSON document) into {"title", "graph"}; refuses anything else with a line number.';

CREATE OR REPLACE FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer DEFAULT NULL::integer)
 RETURNS app_public.quests
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  parsed jsonb := app_hidden.quest_graph_from_yaml(yaml_content);
  quest app_public.quests;
begin
  if jsonb_typeof(parsed -> 'title') not in ('string', 'null') then
    raise exception 'The title must be a string.' using errcode = '22P02';
  end if;
  -- Security invoker: the quests policies decide whose quest this is. The graph
  -- triggers validate it, regenerate yaml_content and quest_nodes, and send an
  -- edited quest back to moderation.
  update app_public.quests q
    set graph_structure = parsed -> 'graph',
        title = coalesce(parsed ->> 'title', q.title),
        version = coalesce(save_quest_yaml.version, q.version)
  where q.id = save_quest_yaml.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest % of yours.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$function$;
comment on function app_public.save_quest_yaml(uuid,text,integer) is '@arg quest_id The quest (one of yours).
@arg yaml_content The quest as YAML: title, then nodes and edges as lists of one-line "key: value" pairs (what yamlContent holds), or as one JSON document.
@arg version The version you read; a stale one is refused.
Saves a quest written as YAML (seed 000): it is read into the graph, which stays the primary storage, and yamlContent is regenerated from it. Malformed YAML is refused with the line number. Changed content goes back to moderation.';
