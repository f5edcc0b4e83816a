-- Times are milliseconds since the Unix epoch (UTC) in both backends.
CREATE TABLE region_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    logo_url TEXT
);

CREATE TABLE agencies (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES agencies(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    mechanism TEXT NOT NULL DEFAULT ''
);

CREATE TABLE positions (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES positions(id)
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies(id),
    position_id BIGINT REFERENCES positions(id),
    email TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
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
    sort_order BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE register_counters (
    scope TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    register_number TEXT NOT NULL UNIQUE,
    agency_id BIGINT REFERENCES agencies(id),
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
    assignee_id BIGINT REFERENCES users(id),
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_at BIGINT,
    due_at BIGINT,
    decline_reason TEXT,
    idempotency_key TEXT UNIQUE,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL DEFAULT '',
    search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX tickets_agency_received ON tickets(agency_id, received_at DESC, id DESC);
CREATE INDEX tickets_received ON tickets(received_at DESC, id DESC);
CREATE INDEX tickets_status_received ON tickets(status, received_at DESC, id DESC);
CREATE INDEX tickets_agency_status_received ON tickets(agency_id, status, received_at DESC, id DESC);
CREATE INDEX tickets_search ON tickets USING GIN (search);

-- The citizen's text is never altered (SMS §11.e).
CREATE FUNCTION tickets_text_immutable() RETURNS trigger AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text THEN
        RAISE EXCEPTION 'ticket text is immutable';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_text_immutable BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_text_immutable();

CREATE TABLE ticket_events (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    public BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
);
CREATE FUNCTION ticket_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT REFERENCES tickets(id),
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    lease_until BIGINT
);
CREATE INDEX messages_ticket ON messages(ticket_id);
CREATE INDEX messages_pending ON messages(status, next_attempt_at);

CREATE TABLE login_attempts (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    at BIGINT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
