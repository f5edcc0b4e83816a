-- Notifications to officials (seed 000 §12.2): the hourly and daily digests and the notice
-- of a ticket that reaches someone. One row per (recipient, kind, period) makes each digest go
-- out once, whatever the restarts and the number of nodes.
CREATE TABLE notification_runs (
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, period)
);
-- `sms`, `email`, `sms,email` or `none`; quiet hours like `21:00-06:00` (region time) hold SMS.
ALTER TABLE users ADD COLUMN notify_channels TEXT NOT NULL DEFAULT 'sms,email';
ALTER TABLE users ADD COLUMN quiet_hours TEXT;
ALTER TABLE region_settings ADD COLUMN daily_digest_at TEXT NOT NULL DEFAULT '07:00';
INSERT INTO sms_templates (code, body) VALUES
    ('digest_hourly', 'Balai: {count} aduan baru masuk ke {inbox} dalam 1 jam terakhir ({categories}). {link}'),
    ('digest_daily', 'Balai: {count} aduan {inbox} belum dijawab, {overdue} terlambat. Terlama: {oldest}. {link}'),
    ('forwarded', 'Balai: aduan {register} ({category}) diteruskan kepada Anda. Silakan buka kotak masuk Balai.');
CREATE INDEX ticket_events_kind_at ON ticket_events(kind, at);
