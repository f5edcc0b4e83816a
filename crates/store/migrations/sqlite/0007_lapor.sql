-- LAPOR! SP4N, the national complaint system: the secretariat reports results there and records
-- the tracking number LAPOR! gives back. A number belongs to one ticket at most.
ALTER TABLE tickets ADD COLUMN lapor_number TEXT;
ALTER TABLE tickets ADD COLUMN lapor_recorded_at BIGINT;
CREATE UNIQUE INDEX tickets_lapor_number ON tickets(lapor_number) WHERE lapor_number IS NOT NULL;
