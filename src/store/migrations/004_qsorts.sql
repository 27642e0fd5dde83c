-- 004_qsorts.sql — Q-sorts of norm statements ("unspoken rules"; docs/norms.md).
-- A Q-set is stored with its canonical definition (the duet-qset/1 JSON, which
-- holds the grid) and one row per statement with the norm dimension and the
-- polarity that turn a sort into positions. A sort is one person's placing of
-- every statement of one Q-set on its grid, for one partnership and module.
-- Sorts are research data: audited like check-ins; a withdrawal of research
-- consent deletes the person's sorts and erases their audit payloads.

CREATE TABLE qset (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    definition TEXT NOT NULL,          -- canonical duet-qset/1 JSON
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE qstatement (
    id             INTEGER PRIMARY KEY,
    qset_id        INTEGER NOT NULL REFERENCES qset(id),
    ordinal        INTEGER NOT NULL,   -- 1-based, the order of the definition
    code           TEXT NOT NULL,      -- the statement's id in the Q-set
    text           TEXT NOT NULL,
    dimension      INTEGER NOT NULL CHECK (dimension >= 0),  -- index k in the definition
    dimension_name TEXT NOT NULL,
    polarity       INTEGER NOT NULL CHECK (polarity IN (-1, 1)),
    UNIQUE (qset_id, code)
);

CREATE TABLE qsort (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER NOT NULL REFERENCES module(id),
    qset_id        INTEGER NOT NULL REFERENCES qset(id),
    source         TEXT NOT NULL DEFAULT '',   -- how it arrived: cli, import, web, demo
    created_at     TEXT NOT NULL,
    UNIQUE (person_id, partnership_id, module_id, qset_id)
);
CREATE INDEX qsort_partnership ON qsort(partnership_id, module_id);

CREATE TABLE qsort_value (
    qsort_id     INTEGER NOT NULL REFERENCES qsort(id) ON DELETE CASCADE,
    statement_id INTEGER NOT NULL REFERENCES qstatement(id),
    value        INTEGER NOT NULL,     -- the grid column the statement was placed in
    PRIMARY KEY (qsort_id, statement_id)
) WITHOUT ROWID;
