-- 005_codebook.sql — codebooks for qualitative coding (docs/coding.md).
-- A codebook is stored once per name and version; its codes form a tree
-- (parent_id NULL at the top, position orders siblings) and carry a GUID so
-- that REFI-QDA exchange (.qdc) keeps their identity. Memos attach to a code
-- or a whole codebook. All writes are audited.

CREATE TABLE codebook (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE code (
    id              INTEGER PRIMARY KEY,
    codebook_id     INTEGER NOT NULL REFERENCES codebook(id),
    guid            TEXT NOT NULL,       -- UUID, lower case
    parent_id       INTEGER REFERENCES code(id),
    name            TEXT NOT NULL,
    definition      TEXT,
    when_to_use     TEXT,
    when_not_to_use TEXT,
    example         TEXT,
    colour          TEXT CHECK (colour IS NULL OR colour GLOB '#[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    position        INTEGER NOT NULL,    -- 0-based among its siblings
    UNIQUE (codebook_id, guid)
);
CREATE INDEX code_parent ON code(codebook_id, parent_id, position);

CREATE TABLE memo (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('code', 'codebook')),
    target_id   INTEGER NOT NULL,
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX memo_target ON memo(target_kind, target_id);
