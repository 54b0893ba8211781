-- NIP-98 event ids already used, shared by every API instance (PostgreSQL deployments): a token is single-use
-- across instances. Rows expire after twice the ±60 s validity window; the sweeper deletes them by expiry.
CREATE TABLE auth_event (
  id TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);

CREATE INDEX idx_auth_event_expires_at ON auth_event (expires_at);
