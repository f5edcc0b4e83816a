-- Publication of answered complaints (SMS §12.9): a masked copy of the question and the answer,
-- with its own history; the original ticket text is never changed (SMS §11.e).
CREATE TABLE published_cases (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES tickets(id),
    agency_id BIGINT REFERENCES agencies(id),
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- 'YYYY-MM' of receipt in the region's time zone (the month filter).
    month TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    answered_at BIGINT NOT NULL,
    answer_ms BIGINT NOT NULL,
    -- NULL when the ticket had no deadline.
    on_time BOOLEAN,
    -- "Budi S."; NULL for an anonymous reporter.
    reporter_label TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    withheld BOOLEAN NOT NULL DEFAULT FALSE,
    withheld_reason TEXT,
    edited BOOLEAN NOT NULL DEFAULT FALSE,
    published_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', question || ' ' || answer)) STORED
);
CREATE INDEX published_cases_agency ON published_cases(agency_id, id);
CREATE INDEX published_cases_category ON published_cases(category, id);
CREATE INDEX published_cases_month ON published_cases(month, id);
CREATE INDEX published_cases_search ON published_cases USING GIN (search);

-- Who changed the published copy, when, why, and the text before and after.
CREATE TABLE published_case_revisions (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES published_cases(id),
    actor_id BIGINT REFERENCES users(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    question_before TEXT NOT NULL,
    question_after TEXT NOT NULL,
    answer_before TEXT NOT NULL,
    answer_after TEXT NOT NULL
);
CREATE INDEX published_case_revisions_case ON published_case_revisions(case_id, id);
CREATE FUNCTION published_case_revisions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'publication history is append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER published_case_revisions_no_update BEFORE UPDATE OR DELETE ON published_case_revisions
    FOR EACH ROW EXECUTE FUNCTION published_case_revisions_append_only();

-- The sweep looks for answered tickets not yet published.
CREATE INDEX tickets_answered ON tickets(answered_at) WHERE answered_at IS NOT NULL;
