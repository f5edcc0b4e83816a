-- Open tickets in order of their deadline (inbox "jatuh tempo terdekat", overdue counts).
CREATE INDEX tickets_open_due ON tickets(due_at, id) WHERE status IN ('received', 'open');
CREATE INDEX tickets_agency_open_due ON tickets(agency_id, due_at, id) WHERE status IN ('received', 'open');
-- The deadline clock stops while the reporter is asked for more information (at most
-- `ask_pause_limit` of working time), and a passed deadline is escalated once.
ALTER TABLE tickets ADD COLUMN sla_paused_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_breached_at BIGINT;
ALTER TABLE region_settings ADD COLUMN ask_pause_limit TEXT NOT NULL DEFAULT '5wd';
