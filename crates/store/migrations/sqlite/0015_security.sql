-- An API Idempotency-Key answers with its first ticket only for the same request: the SHA-256
-- of the request it created (the key itself is scoped to the client by the web layer).
ALTER TABLE tickets ADD COLUMN idempotency_fingerprint TEXT;
