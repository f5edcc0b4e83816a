-- A delegation is of a position: it keeps the role and agency of the position as recorded, so
-- it grants exactly the delegator's capabilities and holds while the position is vacant; and it
-- records its basis (the number of the surat perintah).
ALTER TABLE delegations ADD COLUMN role TEXT;
ALTER TABLE delegations ADD COLUMN agency_id BIGINT REFERENCES agencies(id);
ALTER TABLE delegations ADD COLUMN basis TEXT NOT NULL DEFAULT '';
UPDATE delegations SET role = (SELECT u.role FROM users u WHERE u.id = delegations.delegator_id),
    agency_id = (SELECT u.agency_id FROM users u WHERE u.id = delegations.delegator_id);
