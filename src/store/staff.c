/*
** staff.c — reads for the people who run and study cohorts: the cohorts a
** facilitator is staff of, and every member of a cohort's partnerships in
** one query (so a dashboard or a pseudonym table costs one read, not one
** per partnership). Read-only: nothing here writes or audits.
*/
#include "store/db.h"

json_t *store_cohort_list_staffed(struct store *st, int64_t person_id, duet_err *e)
{
    /* The same columns as store_cohort_list, so callers can treat both alike. */
    sqlite3_stmt *s = db_prep(st, "SELECT c.id, c.name, p.name AS programme, c.starts_on, "
                                  "(SELECT count(*) FROM module m WHERE m.cohort_id = c.id) AS modules, "
                                  "(SELECT count(*) FROM partnership t WHERE t.cohort_id = c.id) "
                                  "AS partnerships FROM cohort_staff x "
                                  "JOIN cohort c ON c.id = x.cohort_id "
                                  "JOIN programme p ON p.id = c.programme_id "
                                  "WHERE x.person_id = ? ORDER BY c.name", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, person_id);
    return db_query_json(st, s, e);
}

json_t *store_cohort_member_list(struct store *st, const char *cohort, duet_err *e)
{
    int64_t cid;
    if (db_cohort_id(st, cohort, &cid, e) != 0)
        return NULL;
    /* Ordered by person id within a side: ids follow the order people were
    ** added, which (unlike their keys) says nothing about who they are. */
    sqlite3_stmt *s = db_prep(st, "SELECT t.code AS partnership, p.key AS person, "
                                  "p.display_name, r.name AS role, r.side "
                                  "FROM partnership t JOIN membership m ON m.partnership_id = t.id "
                                  "JOIN person p ON p.id = m.person_id "
                                  "JOIN role r ON r.id = m.role_id "
                                  "WHERE t.cohort_id = ? ORDER BY t.code, r.side, p.id", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, cid);
    return db_query_json(st, s, e);
}
