-- 002_accounts.sql — signing in to the web application: an account gives a
-- person one role; sessions (browser cookies) and personal API tokens stand
-- for an account; cohort_staff says which facilitators run which cohort.
-- Only SHA-256 digests of session and API tokens are stored, so a copy of
-- the database cannot be used to act as anyone. See docs/data-model.md.

CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL UNIQUE REFERENCES person(id),
    role          TEXT NOT NULL
                  CHECK (role IN ('participant', 'facilitator', 'researcher', 'admin')),
    password_hash TEXT NOT NULL,          -- Argon2id, libsodium's encoded string
    disabled_at   TEXT,
    created_at    TEXT NOT NULL
);

-- Read on every web request, by its primary key. Times are unix seconds
-- because the timeouts are arithmetic on them.
CREATE TABLE session (
    token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id INTEGER NOT NULL REFERENCES account(id),
    csrf       TEXT NOT NULL,             -- the form token bound to this session
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    ended_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX session_account ON session(account_id);

CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    account_id INTEGER NOT NULL REFERENCES account(id),
    label      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_token_account ON api_token(account_id);

CREATE TABLE cohort_staff (
    cohort_id INTEGER NOT NULL REFERENCES cohort(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    PRIMARY KEY (cohort_id, person_id)
) WITHOUT ROWID;
CREATE INDEX cohort_staff_person ON cohort_staff(person_id);
