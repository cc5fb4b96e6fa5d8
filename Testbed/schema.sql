-- The seed's schema as the testbed builds it (Testbed/README.md): the tables of the model's
-- `database.tables`, with `deals` from the seed's index list (no rows: the model has no
-- deals table). Index names are the model's (`database.indexes`); seed.js creates the
-- indexes a configuration has, so `current` runs without the composite ones.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE TABLE users (
    id integer PRIMARY KEY,
    email text NOT NULL,
    tier text NOT NULL,
    password_hash text NOT NULL,
    plan text NOT NULL DEFAULT 'standard',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE leads (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    company text NOT NULL,
    status text NOT NULL,
    score integer,
    notes text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE campaigns (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    name text NOT NULL,
    status text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE conversations (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    channel text NOT NULL,
    subject text NOT NULL,
    last_message text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE channels (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    settings text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE videos (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    url text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE video_views (
    id bigserial PRIMARY KEY,
    video_id bigint NOT NULL,
    viewer_ip text NOT NULL,
    seconds_watched integer NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE emails (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    to_address text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    user_id integer,
    kind text NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE deals (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    status text NOT NULL,
    amount numeric NOT NULL,
    created_at timestamptz NOT NULL
);
-- The model's notifications query reads the user's 20 newest events through an index
-- (`{rows: 20, access: heap}`), so that index is part of the schema in every configuration.
CREATE INDEX events_userId_createdAt ON events (user_id, created_at);
