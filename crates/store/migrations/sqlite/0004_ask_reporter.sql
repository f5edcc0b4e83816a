-- Asking the reporter for more information; an SMS reply from them attaches to the ticket.
ALTER TABLE tickets ADD COLUMN awaiting_reporter_since BIGINT;
CREATE INDEX tickets_awaiting_reporter ON tickets(reporter_phone) WHERE awaiting_reporter_since IS NOT NULL;
INSERT INTO sms_templates (code, body) VALUES
    ('question', 'Pertanyaan untuk aduan {code}: {question} Balas SMS ini untuk menjawab.'),
    ('reply_received', 'Terima kasih, tanggapan Anda untuk aduan {code} sudah kami terima.');
