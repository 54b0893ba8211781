-- The admin's relay list filters by status or plan, paged by id.
CREATE INDEX idx_relay_status_id ON relay (status, id);

CREATE INDEX idx_relay_plan_id ON relay (plan, id);
