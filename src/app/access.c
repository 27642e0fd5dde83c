/*
** access.c — the access rules (see access.h and docs/access.md).
**
** Each action has one rule per role. A rule is either a plain yes/no or a
** relation to the object: the person is a member of the partnership, or is
** on the staff of its cohort. Role-level refusals come first and do not look
** at the object, so a refusal never reveals whether the object exists.
*/
#include "app/access.h"

#include <string.h>

#include "store/store.h"

enum rule { NO = 0, YES, MEMBER, STAFF };

#define NROLES 5   /* indexed by enum auth_role; AUTH_NONE is never allowed */

static const struct {
    const char *name;
    enum rule by_role[NROLES];   /* none, participant, facilitator, researcher, admin */
} rules[ACCESS_NACTIONS] = {
    [ACCESS_PUBLIC]           = {"public",           {YES, YES, YES, YES, YES}},
    [ACCESS_SIGNED_IN]        = {"signed_in",        {NO, YES, YES, YES, YES}},
    [ACCESS_PARTNERSHIP_VIEW] = {"partnership_view", {NO, MEMBER, STAFF, YES, NO}},
    [ACCESS_CHECKIN]          = {"checkin",          {NO, MEMBER, NO, NO, NO}},
    [ACCESS_REFLECT]          = {"reflect",          {NO, MEMBER, NO, NO, NO}},
    [ACCESS_REFLECTIONS_READ] = {"reflections_read", {NO, MEMBER, STAFF, NO, NO}},
    [ACCESS_OBSERVE]          = {"observe",          {NO, NO, STAFF, NO, NO}},
    [ACCESS_COHORT_LIST]      = {"cohort_list",      {NO, NO, YES, YES, NO}},
    [ACCESS_COHORT_VIEW]      = {"cohort_view",      {NO, NO, STAFF, YES, NO}},
    [ACCESS_COHORT_MANAGE]    = {"cohort_manage",    {NO, NO, STAFF, NO, NO}},
    [ACCESS_ANALYSIS]         = {"analysis",         {NO, NO, NO, YES, NO}},
    [ACCESS_USERS]            = {"users",            {NO, NO, NO, NO, YES}},
    [ACCESS_CODE]             = {"code",             {NO, NO, NO, YES, NO}},
};

const char *access_action_name(enum access_action a)
{
    return (unsigned)a < ACCESS_NACTIONS ? rules[a].name : "";
}

/* Which object an action is about: 'p' partnership, 'c' cohort, 0 none. */
static char object_kind(enum access_action a)
{
    switch (a) {
    case ACCESS_PARTNERSHIP_VIEW: case ACCESS_CHECKIN: case ACCESS_REFLECT:
    case ACCESS_REFLECTIONS_READ: case ACCESS_OBSERVE:
        return 'p';
    case ACCESS_COHORT_VIEW: case ACCESS_COHORT_MANAGE:
        return 'c';
    default:
        return 0;
    }
}

/* Resolves the object to its cohort (and partnership); *found = 0 when it
** does not exist. */
static int resolve(struct store *st, char kind, const struct access_object *obj,
                   int64_t *pship, int64_t *cohort, int *found, duet_err *e)
{
    duet_err tmp;
    const char *name = kind == 'p' ? (obj ? obj->partnership : NULL) : (obj ? obj->cohort : NULL);
    *found = 0;
    if (name == NULL || *name == '\0')
        return 0;
    int rc = kind == 'p' ? store_partnership_id(st, name, pship, cohort, &tmp)
                         : store_cohort_id(st, name, cohort, &tmp);
    if (rc == 0) {
        *found = 1;
        return 0;
    }
    if (tmp.code == DUET_ENOTFOUND || tmp.code == DUET_EINPUT)
        return 0;
    if (e)
        *e = tmp;
    return -1;
}

int access_check(struct store *st, const struct auth_principal *who,
                 enum access_action action, const struct access_object *obj,
                 enum access_result *result, duet_err *e)
{
    *result = ACCESS_FORBIDDEN;
    if ((unsigned)action >= ACCESS_NACTIONS)
        return 0;
    enum auth_role role = who ? who->role : AUTH_NONE;
    if ((unsigned)role >= NROLES)
        return 0;
    enum rule r = rules[action].by_role[role];
    if (r == NO) {
        *result = role == AUTH_NONE ? ACCESS_SIGN_IN : ACCESS_FORBIDDEN;
        return 0;
    }
    char kind = object_kind(action);
    if (kind == 0) {
        *result = ACCESS_ALLOW;
        return 0;
    }
    int64_t pship = 0, cohort = 0;
    int found = 0;
    if (resolve(st, kind, obj, &pship, &cohort, &found, e) != 0)
        return -1;
    *result = ACCESS_HIDDEN;
    if (!found)
        return 0;
    int yes = 0;
    if (r == YES) {
        yes = 1;
    } else if (r == MEMBER) {
        const char *side = NULL;
        duet_err tmp;
        yes = store_member_side(st, pship, who->person_id, &side, &tmp) == 0;
        if (!yes && tmp.code != DUET_ENOTFOUND) {
            if (e)
                *e = tmp;
            return -1;
        }
    } else if (r == STAFF) {
        if (store_cohort_staff_is(st, cohort, who->person_id, &yes, e) != 0)
            return -1;
    }
    if (yes)
        *result = ACCESS_ALLOW;
    return 0;
}

int access_reflection_visible(const struct auth_principal *who, int64_t author_person_id,
                              const char *visibility, int is_member)
{
    if (who == NULL || visibility == NULL)
        return 0;
    if (who->person_id == author_person_id && who->role == AUTH_PARTICIPANT)
        return 1;
    int partner = strcmp(visibility, "partner") == 0;
    int programme = strcmp(visibility, "programme") == 0;
    if (who->role == AUTH_PARTICIPANT)
        return is_member && (partner || programme);
    if (who->role == AUTH_FACILITATOR)
        return programme;
    return 0;
}

int access_sees_identities(const struct auth_principal *who)
{
    return who != NULL && (who->role == AUTH_PARTICIPANT || who->role == AUTH_FACILITATOR ||
                           who->role == AUTH_ADMIN);
}
