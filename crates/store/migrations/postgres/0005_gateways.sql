-- SMS gateways managed by the admin in the web UI, beside those of balai.toml. `settings` holds
-- the gateway's [[gateway]] table as JSON; `revision` counts changes so every node reloads.
CREATE TABLE sms_gateways (
    name TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL
);
CREATE TABLE config_revisions (
    name TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO config_revisions (name, revision) VALUES ('gateways', 0);
