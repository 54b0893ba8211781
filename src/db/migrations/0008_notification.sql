-- The robot's notification outbox. One row per cause, keyed by a stable id (`relay-ready:<relay>`,
-- `payment-due:<invoice>` …), so recording the same cause twice is a no-op and a restart never resends.
-- `status`: pending → sent | no-dm-relays (the recipient has no kind 10050) | failed (gave up after the last
-- attempt). `next_attempt_at` is set only while pending; the retry worker walks the partial index on it.
CREATE TABLE notification (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  last_error TEXT
);

CREATE INDEX idx_notification_next_attempt_at ON notification (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
