-- 001_initial.sql — duet's first schema. See docs/data-model.md for why each
-- table exists. Migrations are applied in order on open; PRAGMA user_version
-- holds the number of the last one applied.

CREATE TABLE role (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    side  TEXT NOT NULL CHECK (side IN ('lived_experience', 'system', 'staff'))
);

INSERT INTO role (name, label, side) VALUES
    ('patient_leader',        'Patient leader',           'lived_experience'),
    ('carer',                 'Carer',                    'lived_experience'),
    ('advocate',              'Advocate',                 'lived_experience'),
    ('expert_by_experience',  'Expert by experience',     'lived_experience'),
    ('system_leader',         'System leader',            'system'),
    ('clinician',             'Clinician',                'system'),
    ('commissioner',          'Commissioner',             'system'),
    ('gp',                    'GP',                       'system'),
    ('regulator',             'Regulator / inspector',    'system'),
    ('specialist_service',    'Specialist service',       'system'),
    ('facilitator',           'Facilitator',              'staff'),
    ('observer',              'Observer',                 'staff'),
    ('researcher',            'Researcher',               'staff');

CREATE TABLE programme (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE cohort (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programme(id),
    name         TEXT NOT NULL UNIQUE,
    starts_on    TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE module (
    id        INTEGER PRIMARY KEY,
    cohort_id INTEGER NOT NULL REFERENCES cohort(id),
    ordinal   INTEGER NOT NULL CHECK (ordinal >= 1),
    held_on   TEXT,
    theme     TEXT NOT NULL DEFAULT '',
    UNIQUE (cohort_id, ordinal)
);

CREATE TABLE person (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    contact      TEXT NOT NULL DEFAULT '',
    erased_at    TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE partnership (
    id            INTEGER PRIMARY KEY,
    cohort_id     INTEGER NOT NULL REFERENCES cohort(id),
    code          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('pair', 'triad')),
    project_title TEXT NOT NULL DEFAULT '',
    project_aim   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

CREATE TABLE membership (
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    person_id      INTEGER NOT NULL REFERENCES person(id),
    role_id        INTEGER NOT NULL REFERENCES role(id),
    PRIMARY KEY (partnership_id, person_id)
) WITHOUT ROWID;
CREATE INDEX membership_person ON membership(person_id);

CREATE TABLE instrument (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    definition TEXT NOT NULL,          -- canonical instrument JSON
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE item (
    id            INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instrument(id),
    ordinal       INTEGER NOT NULL,
    name          TEXT NOT NULL UNIQUE,   -- unique across instruments: CSVs name items alone
    construct     TEXT,
    type          TEXT NOT NULL CHECK (type IN ('scale', 'ladder', 'text', 'list')),
    min           INTEGER,
    max           INTEGER,
    reverse       INTEGER NOT NULL DEFAULT 0,
    max_length    INTEGER NOT NULL DEFAULT 0,
    max_entries   INTEGER NOT NULL DEFAULT 0,
    text          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE checkin (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER NOT NULL REFERENCES module(id),
    instrument_id  INTEGER NOT NULL REFERENCES instrument(id),
    submitted_at   TEXT NOT NULL,
    UNIQUE (person_id, partnership_id, module_id)
);
CREATE INDEX checkin_partnership ON checkin(partnership_id, module_id);

CREATE TABLE response (
    checkin_id INTEGER NOT NULL REFERENCES checkin(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES item(id),
    num        REAL,                   -- scale and ladder answers
    text       TEXT,                   -- text answers; list entries joined by newline
    PRIMARY KEY (checkin_id, item_id)
) WITHOUT ROWID;

CREATE TABLE reflection (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER REFERENCES module(id),
    visibility     TEXT NOT NULL CHECK (visibility IN ('private', 'partner', 'programme')),
    text           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX reflection_partnership ON reflection(partnership_id);

CREATE TABLE observation (
    id               INTEGER PRIMARY KEY,
    observer_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id   INTEGER NOT NULL REFERENCES partnership(id),
    module_id        INTEGER NOT NULL REFERENCES module(id),
    text             TEXT NOT NULL,
    talk_share_lived REAL CHECK (talk_share_lived IS NULL OR (talk_share_lived >= 0 AND talk_share_lived <= 1)),
    decisions_lived  INTEGER CHECK (decisions_lived IS NULL OR decisions_lived >= 0),
    decisions_system INTEGER CHECK (decisions_system IS NULL OR decisions_system >= 0),
    created_at       TEXT NOT NULL
);
CREATE INDEX observation_partnership ON observation(partnership_id);

CREATE TABLE consent (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES person(id),
    purpose      TEXT NOT NULL,
    version      TEXT NOT NULL,
    given_at     TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX consent_person ON consent(person_id, purpose);

CREATE TABLE project_log (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    kind           TEXT NOT NULL CHECK (kind IN ('obstacle', 'lever', 'milestone')),
    description    TEXT NOT NULL,
    happened_on    TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

-- The audit log is append-only and hash-chained: hash = SHA-256(prev_hash ||
-- the entry's fields || payload_digest). Payloads (old and new values) live
-- apart so that a withdrawal can erase them without breaking the chain.
CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    tbl            TEXT NOT NULL,
    row_id         INTEGER NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'erase')),
    payload_digest BLOB NOT NULL,
    hash           BLOB NOT NULL
);
CREATE TABLE audit_payload (
    seq       INTEGER PRIMARY KEY REFERENCES audit(seq),
    old_value TEXT,
    new_value TEXT,
    erased_at TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
