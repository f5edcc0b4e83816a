-- SMS channel: keywords, templates, blocked numbers, inbound messages; outbox columns for SMS.
CREATE TABLE keywords (
    id INTEGER PRIMARY KEY,
    keyword TEXT NOT NULL UNIQUE,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    description TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sms_templates (
    code TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE blocked_numbers (
    phone TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY,
    gateway TEXT NOT NULL,
    gateway_message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    receiver TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    coding TEXT NOT NULL DEFAULT '',
    partial BOOLEAN NOT NULL DEFAULT FALSE,
    received_at BIGINT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    outcome TEXT NOT NULL,
    UNIQUE (gateway, gateway_message_id)
);
CREATE INDEX inbound_sender_received ON inbound_messages(sender, received_at);
CREATE INDEX inbound_ticket ON inbound_messages(ticket_id);

ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer';
ALTER TABLE messages ADD COLUMN gateway TEXT;
ALTER TABLE messages ADD COLUMN gateway_ref TEXT;
ALTER TABLE messages ADD COLUMN segments BIGINT NOT NULL DEFAULT 1;
ALTER TABLE messages ADD COLUMN dlr_status TEXT;
ALTER TABLE messages ADD COLUMN dlr_at BIGINT;
CREATE INDEX messages_recipient_kind ON messages(recipient, kind, created_at);
CREATE INDEX messages_gateway_ref ON messages(gateway, gateway_ref);

INSERT INTO sms_templates (code, body) VALUES
    ('ack', 'Aduan Anda diterima. No. register {register}, kode lacak {code}. Jawaban paling lambat {due}. Cek status: kirim CEK {code}'),
    ('unknown_keyword', 'Kata kunci tidak dikenal. Aduan Anda tetap kami terima (kode {code}) dan diteruskan ke OPD terkait. Kata kunci: {keywords}'),
    ('help', 'Layanan SMS Aduan {region}. Format: KATAKUNCI isi aduan. Kata kunci: {keywords}. Cek status: CEK kode'),
    ('status', 'Aduan {code}: {status}. {answer}'),
    ('status_unknown', 'Kode lacak tidak ditemukan. Periksa kembali kode Anda, contoh: CEK 7KQ2M9XHTA'),
    ('answer', 'Jawaban aduan {code}: {answer}');
