-- Kinds of data masked in published cases only when the administrator switches them on
-- (domain::redact::Settings); phones, emails, ID numbers, codes and the reporter's name are
-- always masked.
ALTER TABLE region_settings ADD COLUMN redact_addresses BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE region_settings ADD COLUMN redact_plates BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE region_settings ADD COLUMN redact_handles BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE region_settings ADD COLUMN redact_third_party_names BOOLEAN NOT NULL DEFAULT FALSE;
