-- Billing workers: the grace-period check finds past-due tenants by date, the start-up reconcile finds tenants
-- that hold a subscription. `billing_revision` counts the subscriptions a tenant has had cleared, so the
-- idempotency key of the next subscription create differs from the last one's.
ALTER TABLE tenant ADD COLUMN billing_revision INTEGER NOT NULL DEFAULT 0;

CREATE INDEX idx_tenant_past_due_at ON tenant (past_due_at, pubkey);

CREATE INDEX idx_tenant_stripe_subscription_id ON tenant (stripe_subscription_id);

-- A received webhook is stored with its payload and processed by a worker (re-reading the object from Stripe);
-- `processed_at` stays NULL until its effects commit, so a crash or a Stripe outage only delays the work.
ALTER TABLE stripe_event ADD COLUMN payload TEXT;

CREATE INDEX idx_stripe_event_unprocessed ON stripe_event (processed_at, received_at);
