-- Dispositions (disposisi, seed 003): a head of agency sends a ticket to people below them with
-- an instruction and a due date; each recipient reads it, reports back and may dispose further,
-- so the dispositions of a ticket form a tree (parent_id).
CREATE TABLE disposition_instructions (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    -- Default due date, in working time of the region calendar (e.g. `2wd`, `4wh`).
    due_within TEXT NOT NULL DEFAULT '2wd',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0
);
INSERT INTO disposition_instructions (code, label, due_within, sort_order) VALUES
    ('tindak_lanjuti', 'Tindak lanjuti', '2wd', 1),
    ('pelajari', 'Pelajari dan telaah', '2wd', 2),
    ('siapkan_jawaban', 'Siapkan jawaban', '1wd', 3),
    ('koordinasikan', 'Koordinasikan', '2wd', 4),
    ('untuk_diketahui', 'Untuk diketahui', '1wd', 5),
    ('lainnya', 'Lainnya (lihat catatan)', '2wd', 6);

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    parent_id INTEGER REFERENCES dispositions(id),
    from_user_id INTEGER NOT NULL REFERENCES users(id),
    -- Set when the sender acted for someone else (Plh./Plt.): the label and that person.
    acting_as TEXT,
    on_behalf_of INTEGER REFERENCES users(id),
    recipient_id INTEGER NOT NULL REFERENCES users(id),
    instruction TEXT NOT NULL REFERENCES disposition_instructions(code),
    note TEXT NOT NULL DEFAULT '',
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    reported_at BIGINT,
    report TEXT,
    reported_by INTEGER REFERENCES users(id),
    report_acting_as TEXT,
    escalated_at BIGINT
);
CREATE INDEX dispositions_recipient ON dispositions(recipient_id, created_at DESC, id DESC);
CREATE INDEX dispositions_ticket ON dispositions(ticket_id, id);
CREATE INDEX dispositions_created ON dispositions(created_at);
CREATE INDEX dispositions_open_due ON dispositions(due_at) WHERE reported_at IS NULL AND escalated_at IS NULL;

-- Acting officials: a dated delegation of an official's position (Plt. or Plh.) to another user.
CREATE TABLE delegations (
    id INTEGER PRIMARY KEY,
    delegator_id INTEGER NOT NULL REFERENCES users(id),
    position_id INTEGER REFERENCES positions(id),
    -- What the delegate signs as after `Plh. `/`Plt. `, fixed when recorded.
    position_label TEXT NOT NULL,
    delegate_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('plt', 'plh')),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    -- Ended early: ends_at moved to that instant (equal to starts_at when cancelled before it ran).
    ended_early_by INTEGER REFERENCES users(id)
);
CREATE INDEX delegations_delegate ON delegations(delegate_id, ends_at);
CREATE INDEX delegations_delegator ON delegations(delegator_id, ends_at);

INSERT INTO sms_templates (code, body) VALUES
    ('disposed', 'Balai: disposisi aduan {register} untuk Anda: {instruction}. Tenggat {due}. Buka Disposisi saya di Balai.');
