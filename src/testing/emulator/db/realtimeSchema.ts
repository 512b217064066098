// The `realtime` schema Broadcast from Database needs: the messages table and the functions
// apps call from SQL and triggers, with the signatures and behaviour of Supabase's.
// (The real table is partitioned by day; the emulator's is one plain table.)
export const REALTIME_SCHEMA_SQL = `
create schema if not exists realtime;

create table if not exists realtime.messages (
  id uuid not null default gen_random_uuid(),
  topic text not null,
  extension text not null,
  payload jsonb,
  binary_payload bytea,
  event text,
  private boolean default true,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  primary key (id, inserted_at),
  constraint messages_payload_exclusive check (payload is null or binary_payload is null)
);
-- A client broadcast stored for replay (persist) was delivered when sent: replication skips it.
alter table realtime.messages add column if not exists skip_broadcast boolean not null default false;
create index if not exists messages_topic_index on realtime.messages (topic);
alter table realtime.messages enable row level security;

-- The topic of the channel an RLS policy is evaluated for (set by the server and by send()).
create or replace function realtime.topic() returns text
  language sql stable
  as $fn$ select nullif(current_setting('realtime.topic', true), '') $fn$;

-- Broadcasts a JSON payload to a topic (private by default); the payload gets the message id
-- unless it has an "id". Failures are warnings, never the caller's error.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
  returns void language plpgsql
  as $fn$
  declare
    message_id uuid := gen_random_uuid();
  begin
    begin
      perform set_config('realtime.topic', topic, true);
      insert into realtime.messages (id, payload, event, topic, private, extension)
        values (message_id, case when payload ? 'id' then payload else payload || jsonb_build_object('id', message_id) end, event, topic, private, 'broadcast');
    exception when others then
      raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
    end;
  end
  $fn$;

-- The same for raw bytes.
create or replace function realtime.send(payload bytea, event text, topic text, private boolean default true)
  returns void language plpgsql
  as $fn$
  begin
    begin
      perform set_config('realtime.topic', topic, true);
      insert into realtime.messages (id, binary_payload, event, topic, private, extension)
        values (gen_random_uuid(), payload, event, topic, private, 'broadcast');
    exception when others then
      raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
    end;
  end
  $fn$;

-- For row triggers: sends { old_record, record, operation, table, schema } to a private topic.
create or replace function realtime.broadcast_changes(topic_name text, event_name text, operation text, table_name text, table_schema text, new record, old record, level text default 'ROW')
  returns void language plpgsql
  as $fn$
  begin
    if level = 'STATEMENT' then
      raise exception 'function can only be triggered for each row, not for each statement';
    end if;
    if operation not in ('INSERT', 'UPDATE', 'DELETE') then
      raise exception 'Unexpected operation type: %', operation;
    end if;
    perform realtime.send(
      jsonb_build_object('old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema),
      event_name, topic_name);
  exception when others then
    raise exception 'Failed to process the row: %', sqlerrm;
  end
  $fn$;
`

/** Grants the Supabase roles that exist (anon, authenticated, service_role) use of `realtime.messages`; run after setup SQL creates them. */
export const REALTIME_GRANTS_SQL = `
do $grants$
declare
  role_name text;
begin
  for role_name in select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role') loop
    execute format('grant usage on schema realtime to %I', role_name);
    execute format('grant select, insert, update on realtime.messages to %I', role_name);
  end loop;
end
$grants$;
`
