-- The four queries that run on every webhook or API request (spec §2.1). Without these they scan.

CREATE INDEX idx_tenant_stripe_customer_id ON tenant (stripe_customer_id);

CREATE INDEX idx_relay_tenant_id ON relay (tenant, id);

CREATE INDEX idx_relay_tenant_status_plan ON relay (tenant, status, plan);

CREATE INDEX idx_activity_resource_type_resource_id_created_at_id
  ON activity (resource_type, resource_id, created_at DESC, id DESC);
