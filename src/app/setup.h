/*
** setup.h — setting up a database: the default instrument and the demo.
*/
#ifndef DUET_APP_SETUP_H
#define DUET_APP_SETUP_H

#include <stdint.h>

#include "core/err.h"

struct store;

/* Stores the default instrument unless that name and version are there. */
int setup_default_instrument(struct store *st, duet_err *e);

/* Stores the default Q-set (io/qset.h: QSET_DEFAULT_NAME, the norm
** statements of data/qsets/norms-default.json) unless that name and
** version are there. */
int setup_default_qset(struct store *st, duet_err *e);

/* Stores the starter codebook (io/codebook.h: CODEBOOK_STARTER_NAME, from
** data/codebooks/starter.json) unless that name and version are there. */
int setup_default_codebook(struct store *st, duet_err *e);

#define SETUP_DEMO_MAX_PAIRS 500

struct demo_options {
    int pairs;            /* partnerships, 3..SETUP_DEMO_MAX_PAIRS (default 12) */
    int modules;          /* 2..50 (default 6) */
    uint64_t seed;        /* default 1 */
    int structure_only;   /* people, partnerships and consent; no answers or notes */
};

struct demo_report {
    const char *programme, *cohort;
    int partnerships, people, checkins, answers, reflections, observations, sorts;
    /* The regime (model/sim.h: sim_regime_name) of the simulated pair each
    ** partnership was drawn from, P01 first; NULL with structure_only. It is
    ** setup_demo_regime(i) unless the model offered no such pair for the
    ** options given (see there). Static strings. */
    const char *regime[SETUP_DEMO_MAX_PAIRS];
};

/* Creates a complete synthetic programme in one transaction: one cohort,
** the partnerships (at least one triad and one expert-by-experience +
** regulator pair), modules, check-ins with plausible trajectories (some
** improving, some tokenistic, some polarising), reflections and
** observations. The same options give the same data. */
int setup_demo(struct store *st, const struct demo_options *o, struct demo_report *r,
               duet_err *e);

/* The demo's sign-ins for the web application. The passwords are published
** (README, 'duet demo --sign-ins'): never use them for real data. */
#define SETUP_DEMO_FACILITATOR "fac.demo"
#define SETUP_DEMO_RESEARCHER "res.demo"
#define SETUP_DEMO_ADMIN "admin.demo"
#define SETUP_DEMO_PASSWORD_PARTICIPANT "harbour-lantern-participant"
#define SETUP_DEMO_PASSWORD_FACILITATOR "harbour-lantern-cohorts"
#define SETUP_DEMO_PASSWORD_RESEARCHER "harbour-lantern-analysis"
#define SETUP_DEMO_PASSWORD_ADMIN "harbour-lantern-accounts"

/* Gives the demo cohort sign-ins, in one transaction: a participant account
** for every member of every partnership of cohort, a facilitator account for
** fac.demo (made staff of cohort), and a researcher and an admin account for
** res.demo and admin.demo (added as people when missing). Accounts and staff
** already there are kept, so running it again changes nothing. fac.demo must
** exist (setup_demo adds it). */
int setup_demo_accounts(struct store *st, const char *cohort, duet_err *e);

/* The course the demo gave partnership i (0-based): "improving",
** "tokenistic" or "polarising". */
const char *setup_demo_archetype(int i);

/* The regime of the pair identity model (spec §5) the demo draws
** partnership i (0-based) in, consistent with its course: "partnership" for
** improving ones, "polarised" for polarising ones, and for tokenistic ones
** in turn "patient_native" (the patient leader co-opted onto system norms),
** "partnership" (norms met, but the patient leader carried the compromise)
** and "stalled". When the model offers no pair of the course in that regime
** (tokenistic pairs over very many modules), the demo takes the first pair
** of the course and demo_report.regime says which regime it had. */
const char *setup_demo_regime(int i);

#endif
