-- Publication of answered complaints (SMS §12.9): a masked copy of the question and the answer,
-- with its own history; the original ticket text is never changed (SMS §11.e).
CREATE TABLE published_cases (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
    agency_id INTEGER REFERENCES agencies(id),
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
    updated_at BIGINT NOT NULL
);
CREATE INDEX published_cases_agency ON published_cases(agency_id, id);
CREATE INDEX published_cases_category ON published_cases(category, id);
CREATE INDEX published_cases_month ON published_cases(month, id);

CREATE VIRTUAL TABLE published_cases_fts USING fts5(question, answer, content='published_cases', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER published_cases_fts_insert AFTER INSERT ON published_cases BEGIN
    INSERT INTO published_cases_fts(rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
CREATE TRIGGER published_cases_fts_update AFTER UPDATE OF question, answer ON published_cases BEGIN
    INSERT INTO published_cases_fts(published_cases_fts, rowid, question, answer) VALUES ('delete', old.id, old.question, old.answer);
    INSERT INTO published_cases_fts(rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
CREATE TRIGGER published_cases_fts_delete AFTER DELETE ON published_cases BEGIN
    INSERT INTO published_cases_fts(published_cases_fts, rowid, question, answer) VALUES ('delete', old.id, old.question, old.answer);
END;

-- Who changed the published copy, when, why, and the text before and after.
CREATE TABLE published_case_revisions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES published_cases(id),
    actor_id INTEGER REFERENCES users(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    question_before TEXT NOT NULL,
    question_after TEXT NOT NULL,
    answer_before TEXT NOT NULL,
    answer_after TEXT NOT NULL
);
CREATE INDEX published_case_revisions_case ON published_case_revisions(case_id, id);
CREATE TRIGGER published_case_revisions_no_update BEFORE UPDATE ON published_case_revisions BEGIN
    SELECT RAISE(ABORT, 'publication history is append-only');
END;
CREATE TRIGGER published_case_revisions_no_delete BEFORE DELETE ON published_case_revisions BEGIN
    SELECT RAISE(ABORT, 'publication history is append-only');
END;

-- The sweep looks for answered tickets not yet published.
CREATE INDEX tickets_answered ON tickets(answered_at) WHERE answered_at IS NOT NULL;
