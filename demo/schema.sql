-- The world of the demo: a project gallery of generations, shots, and a task queue.
-- Run once by the emulator on start (`--setup-sql demo/schema.sql`); idempotent.

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
