-- Lightning collection of Stripe invoices. One row per invoice (the primary key makes payment exactly-once):
-- the amount converted at a recorded BTC price, the current bolt11 (replaced, with `revision` + 1, only once the
-- previous one is known expired or failed), what the last NWC pay attempt is known to have done, and the last
-- wallet error. `state` becomes 'paid' once the payment is confirmed and the Stripe invoice marked paid.
ALTER TABLE invoice_nwc_payment ADD COLUMN amount_cents BIGINT;
ALTER TABLE invoice_nwc_payment ADD COLUMN amount_msats BIGINT;
ALTER TABLE invoice_nwc_payment ADD COLUMN btc_price_usd DOUBLE PRECISION;
ALTER TABLE invoice_nwc_payment ADD COLUMN bolt11 TEXT;
ALTER TABLE invoice_nwc_payment ADD COLUMN payment_hash TEXT;
ALTER TABLE invoice_nwc_payment ADD COLUMN bolt11_expires_at BIGINT;
ALTER TABLE invoice_nwc_payment ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoice_nwc_payment ADD COLUMN pay_attempt TEXT NOT NULL DEFAULT 'none';
ALTER TABLE invoice_nwc_payment ADD COLUMN last_error TEXT;
ALTER TABLE invoice_nwc_payment ADD COLUMN settled_at BIGINT;

CREATE INDEX idx_invoice_nwc_payment_state ON invoice_nwc_payment (state, updated_at);

CREATE INDEX idx_invoice_nwc_payment_tenant_state ON invoice_nwc_payment (tenant, state);
