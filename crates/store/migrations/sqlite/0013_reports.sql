-- Reports (seed 002 §9–10): each agency submits its monthly recap to the secretariat by the
-- 10th of the next month. One row per (agency, month 'YYYY-MM') once submitted.
CREATE TABLE report_submissions (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    period TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (agency_id, period)
);
-- Reminders to agencies that have not submitted, from the 5th: one row per (agency, local day)
-- inserted in the transaction that queues the messages, so each agency hears once a day.
CREATE TABLE report_reminders (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    day TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);
INSERT INTO sms_templates (code, body) VALUES
    ('report_reminder', 'Balai: rekapitulasi pengaduan {agency} bulan {month} belum dikirim ke Sekretariat Pengaduan (batas tanggal {deadline}). {link}');
