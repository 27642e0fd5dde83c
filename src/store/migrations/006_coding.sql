-- 006_coding.sql — coding passages of text (docs/coding.md).
-- A source is a text that can be coded: a reflection or an observation
-- (its text stays where it is; erasing the reflection erases the source and
-- every selection and coding on it), or a text imported from a REFI-QDA
-- project (content kept here). A coder is a duet account, or a user named
-- in an imported project. A selection is one coder's passage of a source,
-- in Unicode code points from 0, end exclusive; a coding applies one code
-- to it. Each coder's work is kept apart; "blind" hides the others' until a
-- researcher reveals them. Memos now also attach to sources and codings.

CREATE TABLE coder (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    account_id INTEGER UNIQUE REFERENCES account(id)
);

CREATE TABLE source (
    id             INTEGER PRIMARY KEY,
    guid           TEXT NOT NULL UNIQUE,
    reflection_id  INTEGER UNIQUE REFERENCES reflection(id) ON DELETE CASCADE,
    observation_id INTEGER UNIQUE REFERENCES observation(id) ON DELETE CASCADE,
    name           TEXT,                 -- imported sources only
    content        TEXT,                 -- imported sources only
    created_at     TEXT NOT NULL,
    CHECK ((reflection_id IS NOT NULL) + (observation_id IS NOT NULL)
           + (content IS NOT NULL) = 1)
);

CREATE TABLE selection (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    source_id  INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
    start_pos  INTEGER NOT NULL CHECK (start_pos >= 0),
    end_pos    INTEGER NOT NULL CHECK (end_pos > start_pos),
    coder_id   INTEGER NOT NULL REFERENCES coder(id),
    created_at TEXT NOT NULL
);
CREATE INDEX selection_source ON selection(source_id, coder_id, start_pos);

CREATE TABLE coding (
    id           INTEGER PRIMARY KEY,
    guid         TEXT NOT NULL UNIQUE,
    selection_id INTEGER NOT NULL REFERENCES selection(id) ON DELETE CASCADE,
    code_id      INTEGER NOT NULL REFERENCES code(id),
    created_at   TEXT NOT NULL,
    UNIQUE (selection_id, code_id)
);
CREATE INDEX coding_code ON coding(code_id);

-- One row: whether coders see only their own codings.
CREATE TABLE coding_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    blind       INTEGER NOT NULL CHECK (blind IN (0, 1)),
    changed_at  TEXT,
    changed_by  TEXT
);
INSERT INTO coding_state (id, blind) VALUES (1, 1);

CREATE TABLE memo_new (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('code', 'codebook', 'source', 'coding')),
    target_id   INTEGER NOT NULL,
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO memo_new SELECT id, target_kind, target_id, text, author, created_at FROM memo;
DROP TABLE memo;
ALTER TABLE memo_new RENAME TO memo;
CREATE INDEX memo_target ON memo(target_kind, target_id);

-- Research consent in force: given and never withdrawn (see consent.c).
-- Every text a coder may see and code, one row each:
--  * a reflection its author shared with the programme ("programme"
--    visibility), while the author's research consent is in force;
--  * an observer's field note on a partnership, while every member's
--    research consent is in force (the note is about them);
--  * a text imported from a REFI-QDA project.
-- Private and partner-only reflections are never codable. "pseudonym" is
-- the author's pseudonym as the web shows it to researchers (P03-L1: the
-- first lived-experience member of P03, counted in the order people were
-- added); "author" is the person's display name.
CREATE VIEW codable AS
SELECT 'reflection' AS kind, f.id AS doc_id, f.partnership_id, t.code AS partnership,
       c.name AS cohort, mo.ordinal AS module, r.side,
       t.code || '-' || CASE r.side WHEN 'lived_experience' THEN 'L' ELSE 'S' END ||
         (SELECT count(*) FROM membership m2 JOIN role r2 ON r2.id = m2.role_id
          WHERE m2.partnership_id = m.partnership_id AND r2.side = r.side
            AND m2.person_id <= m.person_id) AS pseudonym,
       p.display_name AS author, f.text, f.created_at,
       (SELECT s.id FROM source s WHERE s.reflection_id = f.id) AS source_id
FROM reflection f
JOIN partnership t ON t.id = f.partnership_id
JOIN cohort c ON c.id = t.cohort_id
LEFT JOIN module mo ON mo.id = f.module_id
JOIN membership m ON m.partnership_id = f.partnership_id AND m.person_id = f.person_id
JOIN role r ON r.id = m.role_id
JOIN person p ON p.id = f.person_id
WHERE f.visibility = 'programme' AND p.erased_at IS NULL
  AND EXISTS (SELECT 1 FROM consent k WHERE k.person_id = p.id AND k.purpose = 'research')
  AND NOT EXISTS (SELECT 1 FROM consent k WHERE k.person_id = p.id AND k.purpose = 'research'
                  AND k.withdrawn_at IS NOT NULL)
UNION ALL
SELECT 'observation', o.id, o.partnership_id, t.code, c.name, mo.ordinal, 'staff',
       'observer', p.display_name, o.text, o.created_at,
       (SELECT s.id FROM source s WHERE s.observation_id = o.id)
FROM observation o
JOIN partnership t ON t.id = o.partnership_id
JOIN cohort c ON c.id = t.cohort_id
JOIN module mo ON mo.id = o.module_id
JOIN person p ON p.id = o.observer_id
WHERE NOT EXISTS (
    SELECT 1 FROM membership m JOIN person q ON q.id = m.person_id
    WHERE m.partnership_id = o.partnership_id AND (q.erased_at IS NOT NULL
      OR NOT EXISTS (SELECT 1 FROM consent k WHERE k.person_id = q.id AND k.purpose = 'research')
      OR EXISTS (SELECT 1 FROM consent k WHERE k.person_id = q.id AND k.purpose = 'research'
                 AND k.withdrawn_at IS NOT NULL)))
UNION ALL
SELECT 'imported', s.id, NULL, NULL, NULL, NULL, NULL, NULL, s.name, s.content, s.created_at, s.id
FROM source s WHERE s.content IS NOT NULL;
