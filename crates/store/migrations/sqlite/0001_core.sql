-- Times are milliseconds since the Unix epoch (UTC) in both backends.
CREATE TABLE region_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    logo_url TEXT
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES agencies(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    mechanism TEXT NOT NULL DEFAULT ''
);

CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES positions(id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id INTEGER REFERENCES agencies(id),
    position_id INTEGER REFERENCES positions(id),
    email TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE register_counters (
    scope TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    register_number TEXT NOT NULL UNIQUE,
    agency_id INTEGER REFERENCES agencies(id),
    category TEXT NOT NULL REFERENCES categories(code),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    reporter_name TEXT,
    reporter_phone TEXT,
    reporter_email TEXT,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    address TEXT,
    lat DOUBLE PRECISION,
    long DOUBLE PRECISION,
    assignee_id INTEGER REFERENCES users(id),
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_at BIGINT,
    due_at BIGINT,
    decline_reason TEXT,
    idempotency_key TEXT UNIQUE,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tickets_agency_received ON tickets(agency_id, received_at DESC, id DESC);
CREATE INDEX tickets_received ON tickets(received_at DESC, id DESC);
CREATE INDEX tickets_status_received ON tickets(status, received_at DESC, id DESC);
CREATE INDEX tickets_agency_status_received ON tickets(agency_id, status, received_at DESC, id DESC);

CREATE VIRTUAL TABLE tickets_fts USING fts5(text, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- The citizen's text is never altered (SMS §11.e).
CREATE TRIGGER tickets_text_immutable BEFORE UPDATE OF text ON tickets
WHEN new.text IS NOT old.text BEGIN
    SELECT RAISE(ABORT, 'ticket text is immutable');
END;

CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    public BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
);
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets(id),
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    lease_until BIGINT
);
CREATE INDEX messages_ticket ON messages(ticket_id);
CREATE INDEX messages_pending ON messages(status, next_attempt_at);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    at BIGINT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
