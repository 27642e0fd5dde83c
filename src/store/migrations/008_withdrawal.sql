-- 008_withdrawal.sql — withdrawal leaves no trace (docs/data-model.md,
-- "Consent, withdrawal and erasure" and "Audit log").
--
-- 1. Ids are never given twice. The tables whose rows a withdrawal deletes
--    (reflection, qsort, memo, and with a reflection its source, selections
--    and codings) are rebuilt with AUTOINCREMENT: without it SQLite gives a
--    new row max(id) + 1, so once the highest row was erased the next one
--    (someone else's) would take the id that the audit log names for the
--    erased one. Each table's counter starts past the highest id it holds
--    or that its audit entries name, so ids erased before this migration
--    are not given again either. Migrations run with foreign keys off
--    (db.c): dropping the old reflection table deletes no source, and so on.
-- 2. An audit entry's actor may be replaced by a withdrawn person's
--    pseudonym ('withdrawn-<id>'), once, and nothing else of an entry may
--    change; the withdrawal records, in its own entry of the chain, what
--    `audit verify` needs to check the entry as redacted (db.c).

-- The view codable names reflection and source: renaming the rebuilt
-- tables into place must leave views alone (they name the tables, which
-- exist again once renamed).
PRAGMA legacy_alter_table = ON;

CREATE TABLE reflection_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER REFERENCES module(id),
    visibility     TEXT NOT NULL CHECK (visibility IN ('private', 'partner', 'programme')),
    text           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
INSERT INTO reflection_new (id, person_id, partnership_id, module_id, visibility, text,
                            created_at)
    SELECT id, person_id, partnership_id, module_id, visibility, text, created_at
    FROM reflection;
DROP TABLE reflection;
ALTER TABLE reflection_new RENAME TO reflection;
CREATE INDEX reflection_partnership ON reflection(partnership_id);

CREATE TABLE qsort_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER NOT NULL REFERENCES module(id),
    qset_id        INTEGER NOT NULL REFERENCES qset(id),
    source         TEXT NOT NULL DEFAULT '',   -- how it arrived: cli, import, web, demo
    created_at     TEXT NOT NULL,
    UNIQUE (person_id, partnership_id, module_id, qset_id)
);
INSERT INTO qsort_new (id, person_id, partnership_id, module_id, qset_id, source, created_at)
    SELECT id, person_id, partnership_id, module_id, qset_id, source, created_at FROM qsort;
DROP TABLE qsort;
ALTER TABLE qsort_new RENAME TO qsort;
CREATE INDEX qsort_partnership ON qsort(partnership_id, module_id);

CREATE TABLE source_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guid           TEXT NOT NULL UNIQUE,
    reflection_id  INTEGER UNIQUE REFERENCES reflection(id) ON DELETE CASCADE,
    observation_id INTEGER UNIQUE REFERENCES observation(id) ON DELETE CASCADE,
    name           TEXT,                 -- imported sources only
    content        TEXT,                 -- imported sources only
    created_at     TEXT NOT NULL,
    CHECK ((reflection_id IS NOT NULL) + (observation_id IS NOT NULL)
           + (content IS NOT NULL) = 1)
);
INSERT INTO source_new (id, guid, reflection_id, observation_id, name, content, created_at)
    SELECT id, guid, reflection_id, observation_id, name, content, created_at FROM source;
DROP TABLE source;
ALTER TABLE source_new RENAME TO source;

CREATE TABLE selection_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guid       TEXT NOT NULL UNIQUE,
    source_id  INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
    start_pos  INTEGER NOT NULL CHECK (start_pos >= 0),
    end_pos    INTEGER NOT NULL CHECK (end_pos > start_pos),
    coder_id   INTEGER NOT NULL REFERENCES coder(id),
    created_at TEXT NOT NULL
);
INSERT INTO selection_new (id, guid, source_id, start_pos, end_pos, coder_id, created_at)
    SELECT id, guid, source_id, start_pos, end_pos, coder_id, created_at FROM selection;
DROP TABLE selection;
ALTER TABLE selection_new RENAME TO selection;
CREATE INDEX selection_source ON selection(source_id, coder_id, start_pos);

CREATE TABLE coding_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    selection_id INTEGER NOT NULL REFERENCES selection(id) ON DELETE CASCADE,
    code_id      INTEGER NOT NULL REFERENCES code(id),
    created_at   TEXT NOT NULL,
    UNIQUE (selection_id, code_id)
);
INSERT INTO coding_new (id, guid, selection_id, code_id, created_at)
    SELECT id, guid, selection_id, code_id, created_at FROM coding;
DROP TABLE coding;
ALTER TABLE coding_new RENAME TO coding;
CREATE INDEX coding_code ON coding(code_id);

CREATE TABLE memo_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('code', 'codebook', 'source', 'coding')),
    target_id   INTEGER NOT NULL,
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO memo_new (id, target_kind, target_id, text, author, created_at)
    SELECT id, target_kind, target_id, text, author, created_at FROM memo;
DROP TABLE memo;
ALTER TABLE memo_new RENAME TO memo;
CREATE INDEX memo_target ON memo(target_kind, target_id);

PRAGMA legacy_alter_table = OFF;

-- Each counter past the highest id the table holds or its audit entries name.
DELETE FROM sqlite_sequence
    WHERE name IN ('reflection', 'qsort', 'source', 'selection', 'coding', 'memo');
INSERT INTO sqlite_sequence (name, seq)
    SELECT t.name, max(coalesce((SELECT max(a.row_id) FROM audit a WHERE a.tbl = t.name), 0),
                       CASE t.name
                           WHEN 'reflection' THEN coalesce((SELECT max(id) FROM reflection), 0)
                           WHEN 'qsort' THEN coalesce((SELECT max(id) FROM qsort), 0)
                           WHEN 'source' THEN coalesce((SELECT max(id) FROM source), 0)
                           WHEN 'selection' THEN coalesce((SELECT max(id) FROM selection), 0)
                           WHEN 'coding' THEN coalesce((SELECT max(id) FROM coding), 0)
                           ELSE coalesce((SELECT max(id) FROM memo), 0) END)
    FROM (SELECT 'reflection' AS name UNION ALL SELECT 'qsort' UNION ALL SELECT 'source'
          UNION ALL SELECT 'selection' UNION ALL SELECT 'coding' UNION ALL SELECT 'memo') t;

-- An entry may change only by a withdrawal: its actor, once, to a
-- pseudonym; everything else stays as written.
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    WHEN NOT (NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.tbl IS OLD.tbl
              AND NEW.row_id IS OLD.row_id AND NEW.action IS OLD.action
              AND NEW.payload_digest IS OLD.payload_digest AND NEW.hash IS OLD.hash
              AND substr(NEW.actor, 1, 10) = 'withdrawn-'
              AND substr(OLD.actor, 1, 10) IS NOT 'withdrawn-')
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
