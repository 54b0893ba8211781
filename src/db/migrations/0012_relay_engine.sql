-- Engine placement (issue 10): which of the configured engines (the names in ZOOID_API_URL) serves each relay.
-- A migration cannot know the configuration, so rows written before it are given the first configured engine at
-- start-up (`UPDATE relay SET engine = … WHERE engine IS NULL`).
ALTER TABLE relay ADD COLUMN engine TEXT;
-- While a relay moves to another engine: the engine it goes to, and when the move last showed progress
-- (milliseconds). Relay sync leaves the relay alone meanwhile; a move silent for too long is undone.
ALTER TABLE relay ADD COLUMN move_target TEXT;
ALTER TABLE relay ADD COLUMN move_heartbeat_at BIGINT;
-- Relays per engine (least-loaded placement, GET /engines) and the backfill above.
CREATE INDEX idx_relay_engine_id ON relay (engine, id);
-- Moves in progress, found by the periodic reconcile without scanning every relay.
CREATE INDEX idx_relay_move_heartbeat_at ON relay (move_heartbeat_at) WHERE move_heartbeat_at IS NOT NULL;
