-- The relay-sync reconcile walks unsynced relays (start-up, and whenever it falls behind) by keyset on id.
CREATE INDEX idx_relay_synced_id ON relay (synced, id);
