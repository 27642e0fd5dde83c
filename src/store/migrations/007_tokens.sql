-- 007_tokens.sql — API tokens expire and record when they were last used.
-- expires_at is an ISO 8601 time like created_at: a token whose expires_at
-- has passed is refused like a revoked one. Tokens made before this
-- migration had no end; those still in force now end 90 days after the
-- upgrade (clock time), so no token lives for ever and no script stops at
-- once. last_used_at is written at most once a minute, like a session's
-- last_seen. See docs/data-model.md.

ALTER TABLE api_token ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
ALTER TABLE api_token ADD COLUMN last_used_at TEXT;
UPDATE api_token SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+90 days');
