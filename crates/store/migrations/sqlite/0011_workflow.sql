-- Workflow templates (MISSION C1-C2): ordered steps with a role, the action that completes
-- them and a duration in working time (domain::calendar::Duration text form). A template
-- applies to an agency, a category, both, or is the region default; the most specific wins.
CREATE TABLE workflow_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agency_id INTEGER REFERENCES agencies(id),
    category TEXT REFERENCES categories(code),
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX workflow_templates_scope ON workflow_templates (COALESCE(agency_id, 0), COALESCE(category, ''))
    WHERE agency_id IS NOT NULL OR category IS NOT NULL;
CREATE UNIQUE INDEX workflow_templates_default ON workflow_templates (is_default) WHERE is_default;
CREATE TABLE workflow_steps (
    template_id INTEGER NOT NULL REFERENCES workflow_templates(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    duration TEXT NOT NULL,
    -- Optional: only the holder of this position acts (e.g. approves), not any user of the role.
    position_id INTEGER REFERENCES positions(id),
    PRIMARY KEY (template_id, position)
);
-- A ticket keeps a copy of its template's steps (later edits do not change tickets in
-- flight); the current step and its deadline are also on the ticket for the sweep and counts.
CREATE TABLE ticket_steps (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    duration TEXT NOT NULL,
    position_id INTEGER,
    started_at BIGINT,
    due_at BIGINT,
    done_at BIGINT,
    done_by INTEGER REFERENCES users(id),
    breached_at BIGINT,
    PRIMARY KEY (ticket_id, position)
);
ALTER TABLE tickets ADD COLUMN workflow_name TEXT;
ALTER TABLE tickets ADD COLUMN step_position INTEGER;
ALTER TABLE tickets ADD COLUMN step_due_at BIGINT;
CREATE INDEX tickets_open_step_due ON tickets(step_due_at, id) WHERE status IN ('received', 'open');
-- Answers waiting for approval: every version is kept (drafts, the approver's edits).
CREATE TABLE answer_drafts (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    reviewer_id INTEGER REFERENCES users(id),
    reviewed_at BIGINT,
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (ticket_id, version)
);
-- Shipped templates: SMS Center (answer within 3 working hours, SMS §13) and SOP Wadul
-- (seed 003). Neither applies until the admin assigns it or makes it the region default.
INSERT INTO workflow_templates (name, updated_at) VALUES ('SMS Center', 0), ('SOP Wadul', 0);
INSERT INTO workflow_steps (template_id, position, name, role, kind, duration)
SELECT id, 0, 'Pejabat penghubung menjawab', 'liaison_officer', 'answer', '3wh' FROM workflow_templates WHERE name = 'SMS Center';
INSERT INTO workflow_steps (template_id, position, name, role, kind, duration)
SELECT id, 0, 'Sekretariat meneruskan ke OPD', 'secretariat', 'forward', '1wd' FROM workflow_templates WHERE name = 'SOP Wadul'
UNION ALL SELECT id, 1, 'Kepala OPD mendisposisi ke pejabat penghubung dan tim', 'head_of_agency', 'dispose', '30wm' FROM workflow_templates WHERE name = 'SOP Wadul'
UNION ALL SELECT id, 2, 'Telaah dan tindak lanjut', 'liaison_officer', 'review', '2wd' FROM workflow_templates WHERE name = 'SOP Wadul'
UNION ALL SELECT id, 3, 'Jawaban disusun dan dilaporkan ke Kepala OPD', 'liaison_officer', 'draft', '1wd' FROM workflow_templates WHERE name = 'SOP Wadul'
UNION ALL SELECT id, 4, 'Kepala OPD menyetujui atau mengembalikan jawaban', 'head_of_agency', 'approve', '1wd' FROM workflow_templates WHERE name = 'SOP Wadul'
UNION ALL SELECT id, 5, 'Sekretariat mengirim hasil ke pelapor dan mencatat di LAPOR! SP4N', 'secretariat', 'send', '1wd' FROM workflow_templates WHERE name = 'SOP Wadul';
