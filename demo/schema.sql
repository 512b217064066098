-- The world of the demo: a project gallery of generations, shots, and a task queue.
-- The demo runs it once on start, followed by the Broadcast from Database SQL that
-- broadcastChangesSql() writes for generations (demo/server/demoDatabase.ts); `npm run emulator`
-- runs it alone (`--setup-sql demo/schema.sql`). Idempotent.

-- The roles Supabase's API and Realtime act as (a Supabase project has them). They must exist
-- before the emulator serves: it grants them realtime.messages, and checks private channels and
-- row visibility as the token's role.
do $roles$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
end
$roles$;

create table if not exists projects (
  id bigint generated always as identity primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table if not exists shots (
  id bigint generated always as identity primary key,
  project_id bigint not null references projects(id) on delete cascade,
  name text not null,
  position int not null default 0,
  created_at timestamptz not null default now()
);

create table if not exists generations (
  id bigint generated always as identity primary key,
  project_id bigint not null references projects(id) on delete cascade,
  prompt text not null,
  image_url text,
  starred boolean not null default false,
  client_request_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists shot_generations (
  id bigint generated always as identity primary key,
  project_id bigint not null references projects(id) on delete cascade,
  shot_id bigint not null references shots(id) on delete cascade,
  generation_id bigint not null references generations(id) on delete cascade,
  position int not null default 0,
  unique (shot_id, generation_id)
);

create table if not exists tasks (
  id bigint generated always as identity primary key,
  project_id bigint not null references projects(id) on delete cascade,
  prompt text not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'complete', 'failed')),
  client_request_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Deletes carry the whole old row, so routes can find the project of a deleted row.
alter table generations replica identity full;
alter table shot_generations replica identity full;
alter table tasks replica identity full;

-- The app's token (the demo server signs it) has the role authenticated: it reads and writes as
-- that role. anon may do nothing here.
grant select, insert, update, delete on projects, shots, generations, shot_generations, tasks to authenticated;
grant usage on all sequences in schema public to authenticated;

insert into projects (name)
select 'Demo project' where not exists (select 1 from projects);

insert into shots (project_id, name, position)
select p.id, s.name, s.position
from projects p, (values ('Opening', 0), ('Chase', 1)) as s(name, position)
where p.name = 'Demo project' and not exists (select 1 from shots);

insert into generations (project_id, prompt, image_url)
select p.id, g.prompt, null
from projects p, (values ('a lighthouse at dusk'), ('a fox in the snow'), ('neon rain over a market')) as g(prompt)
where p.name = 'Demo project' and not exists (select 1 from generations);
