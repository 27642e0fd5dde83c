/*
** access.h — who may see and do what: every rule in one place.
**
** The web server names, for every route, the action it performs and the
** object it acts on (a partnership code, a cohort name, or nothing); it calls
** access_check() before the handler runs and never decides by itself. The
** same table is documented in docs/access.md, and tests walk every route ×
** role × own/other object against it.
**
** Results: ACCESS_ALLOW; ACCESS_SIGN_IN (no principal: 401 / redirect to
** sign-in); ACCESS_FORBIDDEN (403: the role may never do this);
** ACCESS_HIDDEN (404: the object exists but is not this person's, so its
** existence is private too — a participant probing partnership codes learns
** nothing).
*/
#ifndef DUET_APP_ACCESS_H
#define DUET_APP_ACCESS_H

#include "app/auth.h"
#include "core/err.h"

struct store;

enum access_action {
    ACCESS_PUBLIC = 0,         /* anyone, signed in or not */
    ACCESS_SIGNED_IN,          /* any signed-in person */
    ACCESS_PARTNERSHIP_VIEW,   /* a partnership's page, trajectory, modules */
    ACCESS_CHECKIN,            /* fill in one's own check-in */
    ACCESS_REFLECT,            /* write a reflection in one's partnership */
    ACCESS_REFLECTIONS_READ,   /* list reflections (then filtered per item) */
    ACCESS_OBSERVE,            /* record / read observers' field notes */
    ACCESS_COHORT_LIST,        /* the cohorts one may look at */
    ACCESS_COHORT_VIEW,        /* a cohort dashboard */
    ACCESS_COHORT_MANAGE,      /* add modules and partnerships */
    ACCESS_ANALYSIS,           /* pseudonymised analysis results and CSVs */
    ACCESS_USERS,              /* accounts */
    ACCESS_CODE,               /* code passages of codable texts; blind mode */
    ACCESS_NACTIONS
};

enum access_result { ACCESS_ALLOW = 0, ACCESS_SIGN_IN, ACCESS_FORBIDDEN, ACCESS_HIDDEN };

/* What the action is about; which field counts depends on the action. */
struct access_object {
    const char *partnership;   /* code, for partnership actions */
    const char *cohort;        /* name, for cohort actions */
};

/* Decides whether who (NULL: nobody signed in) may perform action on obj.
** Returns -1 with *e set only when the store fails; otherwise 0 with
** *result set. An object that does not exist is ACCESS_HIDDEN for everyone. */
int access_check(struct store *st, const struct auth_principal *who,
                 enum access_action action, const struct access_object *obj,
                 enum access_result *result, duet_err *e);

/* May who read a reflection with this visibility written by
** author_person_id in a partnership that who is (is_member) or is not a
** member of? The audiences nest: "private" is for its author only;
** "partner" also for the author's partners; "programme" also for the
** programme team, i.e. the cohort's facilitators (callers have already
** passed ACCESS_REFLECTIONS_READ, so a facilitator here is one of the
** cohort's). Researchers read none. */
int access_reflection_visible(const struct auth_principal *who, int64_t author_person_id,
                              const char *visibility, int is_member);

/* Whether who sees people's names and contact details (researchers see
** pseudonyms instead). */
int access_sees_identities(const struct auth_principal *who);

/* The action's name as written in docs/access.md ("partnership_view"). */
const char *access_action_name(enum access_action a);

#endif
