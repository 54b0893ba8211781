-- Caravel's initial schema. Timestamps are integer unix seconds; booleans are 0/1 integers.
-- Portable SQL: standard types and constraints only (SQLite today, PostgreSQL later).

CREATE TABLE tenant (
  pubkey TEXT PRIMARY KEY,
  nwc_url TEXT,
  nwc_error TEXT,
  stripe_customer_id TEXT,
  stripe_subscription_id TEXT,
  past_due_at BIGINT,
  created_at BIGINT NOT NULL
);

CREATE TABLE relay (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenant (pubkey),
  subdomain TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'delinquent')),
  synced INTEGER NOT NULL DEFAULT 0,
  sync_error TEXT NOT NULL DEFAULT '',
  info_name TEXT NOT NULL DEFAULT '',
  info_icon TEXT NOT NULL DEFAULT '',
  info_description TEXT NOT NULL DEFAULT '',
  policy_public_join INTEGER NOT NULL DEFAULT 0,
  policy_strip_signatures INTEGER NOT NULL DEFAULT 0,
  groups_enabled INTEGER NOT NULL DEFAULT 0,
  management_enabled INTEGER NOT NULL DEFAULT 0,
  blossom_enabled INTEGER NOT NULL DEFAULT 0,
  livekit_enabled INTEGER NOT NULL DEFAULT 0,
  push_enabled INTEGER NOT NULL DEFAULT 0,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE activity (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  activity_type TEXT NOT NULL,
  resource_type TEXT NOT NULL CHECK (resource_type IN ('tenant', 'relay')),
  resource_id TEXT NOT NULL,
  relay_plan TEXT,
  relay_status TEXT,
  detail TEXT
);

CREATE TABLE session (
  token_hash TEXT PRIMARY KEY,
  pubkey TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE stripe_event (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  processed_at BIGINT
);

CREATE TABLE invoice_nwc_payment (
  invoice_id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenant (pubkey),
  state TEXT NOT NULL CHECK (state IN ('pending', 'paid')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
