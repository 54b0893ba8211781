-- Community tools (issue 9).
-- The kinds a private relay lets through to and between members without their authentication (engine
-- `policy.exempt_kinds`): a JSON array of integers; NULL = the engine's default list.
ALTER TABLE relay ADD COLUMN exempt_kinds TEXT;

-- Nostr profiles (kind 0) of relay members, fetched by the robot and kept so the member list shows names and
-- pictures without a relay round trip per request. `event_created_at` keeps the newest version; `fetched_at`
-- decides when to look again.
CREATE TABLE profile (
  pubkey TEXT PRIMARY KEY,
  name TEXT,
  picture TEXT,
  nip05 TEXT,
  event_created_at BIGINT,
  fetched_at BIGINT NOT NULL
);
