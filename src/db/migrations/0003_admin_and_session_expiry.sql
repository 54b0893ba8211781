-- Operator admins added with `caravel admin add` (merged with SERVER_ADMIN_PUBKEYS at start-up),
-- and the index the session sweeper needs to delete expired sessions without a scan.

CREATE TABLE admin (
  pubkey TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);

CREATE INDEX idx_session_expires_at ON session (expires_at);
