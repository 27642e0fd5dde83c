-- 003_drafts.sql — check-ins saved to finish later ("Save and return later"
-- on the web check-in form). A draft is one person's unfinished answers for
-- one partnership and module, kept as the JSON object the form produced
-- ({"item": value, ...}); it is replaced on every save and deleted when the
-- check-in is submitted. Drafts are not research data: they are never
-- analysed or exported, and they are not audited (the audit log would
-- otherwise keep a copy of every half-written answer). A withdrawal of
-- research consent deletes the person's drafts with their other free text.

CREATE TABLE checkin_draft (
    person_id      INTEGER NOT NULL REFERENCES person(id),
    partnership_id INTEGER NOT NULL REFERENCES partnership(id),
    module_id      INTEGER NOT NULL REFERENCES module(id),
    answers        TEXT NOT NULL CHECK (json_valid(answers) AND json_type(answers) = 'object'),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (person_id, partnership_id, module_id)
) WITHOUT ROWID;
