/*
** demo.c — the default instrument and a realistic synthetic programme.
**
** Each partnership follows one course (improving, tokenistic, polarising),
** drawn from the pair identity model (docs/model.md): the course picks model
** parameters and the first simulated pair whose outcome fits it. The model
** gives every member, at every module, the quality of the relationship,
** the share of the compromise borne by the lived-experience side (balance),
** whether the partner pushed back (resistance) and how far the member acted
** unlike themselves (strain). demo_answer() turns that state into item
** answers with noise, so analysed trajectories look like real ones.
**
** The model also gives each member's internalised norms on its four
** dimensions at the start and after the last module; demo_sort() turns
** them into Q-sorts of the default Q-set at the first and the last module,
** so that `duet analyse norms` can recover the regime (partnership,
** co-option, polarisation, stalled) each pair was drawn with
** (docs/norms.md).
*/
#include "app/setup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/ingest.h"
#include "core/rng.h"
#include "io/instrument.h"
#include "io/codebook.h"
#include "io/qset.h"
#include "model/sim.h"
#include "store/store.h"

int setup_default_instrument(struct store *st, duet_err *e)
{
    struct instrument ins;
    if (instrument_load_default(&ins, e) != 0)
        return -1;
    duet_err ignored;
    json_t *have = store_instrument_show(st, ins.name, ins.version, &ignored);
    int rc = have ? 0 : store_instrument_add(st, &ins, NULL, e);
    json_decref(have);
    instrument_free(&ins);
    return rc;
}

int setup_default_qset(struct store *st, duet_err *e)
{
    struct qset q;
    if (qset_load_default(&q, e) != 0)
        return -1;
    duet_err ignored;
    json_t *have = store_qset_show(st, q.name, q.version, &ignored);
    int rc = have ? 0 : store_qset_add(st, &q, NULL, e);
    json_decref(have);
    qset_free(&q);
    return rc;
}

int setup_default_codebook(struct store *st, duet_err *e)
{
    struct codebook cb;
    if (codebook_load_starter(&cb, e) != 0)
        return -1;
    json_t *have = store_codebook_list(st, e);
    int there = 0;
    for (size_t i = 0; have != NULL && i < json_array_size(have); i++) {
        json_t *r = json_array_get(have, i);
        there |= strcmp(json_string_value(json_object_get(r, "name")), cb.name) == 0 &&
                 json_integer_value(json_object_get(r, "version")) == cb.version;
    }
    int rc = have == NULL ? -1 : there ? 0 : store_codebook_add(st, &cb, NULL, e);
    json_decref(have);
    codebook_free(&cb);
    return rc;
}

enum course { IMPROVING, TOKENISTIC, POLARISING };
static const char *const course_names[] = {"improving", "tokenistic", "polarising"};

/* Two healthy partnerships for each troubled one of each kind. */
static enum course course_of(int i)
{
    static const enum course cycle[] = {IMPROVING, TOKENISTIC, IMPROVING, POLARISING};
    return cycle[i % 4];
}

const char *setup_demo_archetype(int i) { return course_names[course_of(i)]; }

/* The regime the demo draws partnership i in: improving pairs end in
** partnership and polarising ones polarised; tokenistic ones cycle through
** the patient leader co-opted onto system norms, a partnership in which the
** patient leader still carries the compromise, and a stalled relationship.
** (With seed 1 and the default sizes these are the pairs the demo drew
** before regimes were chosen, so its check-ins did not change.) */
static enum sim_regime regime_of(int i)
{
    static const enum sim_regime tokenistic[] = {SIM_PATIENT_NATIVE, SIM_PARTNERSHIP,
                                                 SIM_STALLED};
    switch (course_of(i)) {
    case IMPROVING: return SIM_PARTNERSHIP;
    case POLARISING: return SIM_POLARISED;
    default: return tokenistic[(i / 4) % 3];
    }
}

const char *setup_demo_regime(int i) { return sim_regime_name(regime_of(i)); }

struct latent {
    double quality;    /* 0..1 */
    double balance;    /* share of compromise borne by the lived-experience side */
    int met_resistance;
    double strain;     /* 0..1 */
};

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

/* The model parameters that give each course, and the outcome that marks
** it: improving pairs end in partnership with quality rising; tokenistic
** pairs give the patient leader little power and end with the patient
** leader carrying most of the compromise; polarising pairs have narrow
** latitudes of acceptance and end polarised. */
static void course_params(enum course c, sim_params *p)
{
    sim_params_default(p);
    if (c == TOKENISTIC) {
        p->power_patient = 0.12;
        p->tau_patient = 0.6;
        p->tau_system = 1.8;
        p->coordination = 1.5;
    } else if (c == POLARISING) {
        p->init_spread = 0.7;
        p->accept = 0.8;
        p->reject = 1.1;
        p->repulsion = 1.0;
    }
}

static int course_fits(enum course c, const sim_traj *tr)
{
    int m = tr->modules;
    double b = 0;
    for (int t = 1; t <= m; t++)
        b += tr->balance[t - 1];
    b /= m;
    double q0 = sim_traj_quality(tr, 1, 0) + sim_traj_quality(tr, 1, 1);
    double qm = sim_traj_quality(tr, m, 0) + sim_traj_quality(tr, m, 1);
    double blast = tr->balance[m - 1];
    double fq0 = sim_traj_quality(tr, m, 0), fq1 = sim_traj_quality(tr, m, 1);
    switch (c) {
    case IMPROVING:  /* ends in partnership, both well, the compromise shared */
        return tr->regime == SIM_PARTNERSHIP && qm > q0 && b > 0.35 && b < 0.65 &&
               blast > 0.35 && blast < 0.6 && fq0 > 0.6 && fq1 > 0.6;
    case TOKENISTIC: /* the patient leader carries the compromise and fares worse */
        return tr->regime != SIM_POLARISED && b > 0.7 && fq0 < fq1 - 0.2;
    default:         /* ends polarised, both worse off, pushing back */
        return tr->regime == SIM_POLARISED && qm < q0 && fq0 < 0.4 && fq1 < 0.4 &&
               (sim_traj_resisted(tr, m, 0) || sim_traj_resisted(tr, m, 1));
    }
}

/* Finds, from a starting pair index that depends on the partnership, the
** first simulated pair whose course fits c and whose regime is `want`; when
** the model offers none (tokenistic pairs over many modules all stall), the
** first whose course fits. Deterministic for a seed. */
static int model_course(enum course c, enum sim_regime want, uint64_t seed, int modules,
                        int index, sim_traj *tr, duet_err *e)
{
    sim_params p;
    course_params(c, &p);
    p.seed = seed;
    p.modules = modules;
    p.pairs = 1;
    if (sim_traj_init(tr, modules, p.dims, e) != 0)
        return -1;
    /* The regime is sought among the first 20,000 pairs of the course; a
    ** course is always sought among 100,000. */
    for (int strict = 1; strict >= 0; strict--)
        for (uint64_t k = 0; k < (strict ? 20000u : 100000u); k++) {
            if (sim_run_pair(&p, (uint64_t)index * 100000u + k, tr, e) != 0)
                return -1;
            if (course_fits(c, tr) && (!strict || tr->regime == want))
                return 0;
        }
    return duet_errf(e, DUET_EINTERNAL, "the model gave no %s pair for partnership %d",
                     course_names[c], index + 1);
}

/* How far a demo member's placing of a statement strays from their norms:
** the score of a statement is polarity x norm on its dimension plus this
** much standard normal noise. It sets how much of the norms' size survives
** in a forced sort, which only ranks (docs/norms.md). */
#define DEMO_SORT_NOISE 0.8

struct scored { double score; size_t i; };

static int by_score(const void *pa, const void *pb)
{
    const struct scored *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The sort of someone whose norms are n (one value per dimension of q):
** score every statement, rank the scores and fill the grid from its lowest
** column up. values[i] receives statement i's grid value. */
static int demo_sort(const struct qset *q, const double *n, rng *r, int *values, duet_err *e)
{
    struct scored *sc = malloc(q->nstatements * sizeof *sc);
    if (sc == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    for (size_t i = 0; i < q->nstatements; i++) {
        const struct qset_statement *x = &q->statements[i];
        sc[i].score = x->polarity * n[x->dimension] + DEMO_SORT_NOISE * rng_normal(r);
        sc[i].i = i;
    }
    qsort(sc, q->nstatements, sizeof *sc, by_score);
    size_t k = 0;
    for (size_t c = 0; c < q->ncols; c++)
        for (int j = 0; j < q->count[c]; j++)
            values[sc[k++].i] = q->value[c];
    free(sc);
    return 0;
}

struct member { char key[32]; char role[32]; int lived; };

/* The demo's sorts: every member at the first module (norms n(0)) and at
** the last (norms n(M)), of the default Q-set; members on the system side
** of a triad share the system leader's norms, as in their check-ins. */
struct demo_sorts {
    struct qset q;
    int64_t qset_id;
    size_t n, cap;
    struct store_qsort *rows;
    int *values;                 /* [cap][q.nstatements] */
    const char **ids;            /* the Q-set's statement ids */
    rng r;
};

static int add_demo_sorts(struct store *st, struct demo_sorts *ds, const char *code,
                          const struct member *mem, int nmem, const sim_traj *tr, duet_err *e)
{
    int64_t tid, cid, mid[2];
    if (store_partnership_id(st, code, &tid, &cid, e) != 0 ||
        store_module_id(st, cid, 1, &mid[0], e) != 0 ||
        store_module_id(st, cid, tr->modules, &mid[1], e) != 0)
        return -1;
    size_t N = ds->q.nstatements;
    for (int w = 0; w < 2; w++)
        for (int m = 0; m < nmem; m++) {
            if (ds->n == ds->cap) {
                size_t c = ds->cap ? ds->cap * 2 : 64;
                struct store_qsort *rows = realloc(ds->rows, c * sizeof *rows);
                if (rows == NULL)
                    return duet_errf(e, DUET_EINTERNAL, "out of memory");
                ds->rows = rows;
                int *v = realloc(ds->values, c * N * sizeof *v);
                if (v == NULL)
                    return duet_errf(e, DUET_EINTERNAL, "out of memory");
                ds->values = v;
                ds->cap = c;
            }
            int64_t pid;
            if (store_person_id(st, mem[m].key, &pid, e) != 0)
                return -1;
            const double *norms = sim_traj_norm(tr, w ? tr->modules : 0, mem[m].lived ? 0 : 1);
            if (demo_sort(&ds->q, norms, &ds->r, ds->values + ds->n * N, e) != 0)
                return -1;
            ds->rows[ds->n++] = (struct store_qsort){pid, tid, mid[w], ds->qset_id, "demo", N,
                                                     ds->ids, NULL};
        }
    return 0;
}

/* The state of member m (0 = lived experience, 1 = system) at module t. */
static struct latent course_state(const sim_traj *tr, int m, int t)
{
    struct latent s;
    s.quality = clamp01(sim_traj_quality(tr, t, m));
    s.balance = tr->balance[t - 1];
    s.met_resistance = sim_traj_resisted(tr, t, 1 - m);
    s.strain = clamp01(sim_traj_strain(tr, t, m) / 1.2);
    return s;
}

/* A 1..7 answer for a latent level x in 0..1 (7 = high), with noise. */
static int likert(double x, rng *r)
{
    double v = 1 + 6 * clamp01(x) + 0.55 * rng_normal(r);
    int k = (int)lround(v);
    return k < 1 ? 1 : k > 7 ? 7 : k;
}

/* The answer a member gives to a numeric item of construct `construct`. */
static int demo_answer(const struct instrument_item *it, const struct latent *s, int lived,
                       rng *r)
{
    double own_share = lived ? s->balance : 1 - s->balance;   /* compromise I carry */
    double x;
    const char *c = it->construct;
    if (it->type == ITEM_LADDER) {
        /* A good relationship reads as partnership (6+) unless I carry most of
        ** the compromise, which pulls my rung down into the tokenism band. */
        double carry = own_share > 0.5 ? own_share - 0.5 : 0;
        double v = 1.5 + 5.5 * pow(s->quality, 0.7) * (1 - carry) + 0.35 * rng_normal(r);
        int k = (int)lround(v);
        return k < 1 ? 1 : k > 8 ? 8 : k;
    }
    if (strcmp(c, "voice") == 0)
        x = s->quality + 0.6 * (0.5 - own_share);
    else if (strcmp(c, "power") == 0)
        x = 1 - s->balance;   /* 1 = the system side decided everything */
    else if (strcmp(c, "resistance") == 0)
        x = s->met_resistance ? 0.8 : 0.15;
    else if (strcmp(c, "strain") == 0)
        x = s->strain;
    else if (strcmp(c, "safety") == 0)
        x = s->quality - (s->met_resistance ? 0.1 : 0);
    else
        x = s->quality;   /* trust, purpose */
    int v = likert(x, r);
    return it->reverse ? it->min + it->max - v : v;
}

static const char *const given[] = {"Amira", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace",
                                    "Hamid", "Isla", "Jonah", "Kiran", "Leah", "Marek", "Nadia",
                                    "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma",
                                    "Vikram", "Wendy", "Yusuf", "Zara"};
static const char *const family[] = {"Khan", "Okafor", "Williams", "Patel", "Morgan", "Adeyemi",
                                     "Hughes", "Nowak", "Campbell", "Shah", "Evans", "Murphy"};
static const char *const lived_orgs[] = {"Healthwatch Northshire", "Valley Carers Network",
                                         "Northshire Mental Health Forum", "Independent"};
static const char *const system_orgs[] = {"Northshire ICB", "St Hilda's Hospital NHS Trust",
                                          "Northshire County Council", "Riverside Primary Care Network"};
static const char *const themes[] = {"Finding your collaborative partner", "Power and voice",
                                     "Unspoken rules", "Working with resistance",
                                     "Spreading what works", "Embedding collaboration",
                                     "Looking back, looking on"};
static const char *const projects[] = {
    "Co-designing discharge from hospital", "Carers' voices in commissioning",
    "Genomic test results explained together", "Making inspection reports meaningful",
    "Crisis care that listens", "Accessible outpatient letters", "Community diabetes support",
    "Reducing waits for memory assessment"};

static const char *const discoveries[3][3] = {
    {"We found we wanted the same thing from different directions.",
     "My partner's lived experience changed how I read the data.",
     "We can disagree and still move forward."},
    {"Decisions seem to be made before we meet.",
     "I was asked to comment on a plan that was already signed off.",
     "The agenda is set elsewhere."},
    {"We see the problem in completely different ways.",
     "Every meeting goes back to the same argument.",
     "I no longer feel we are on the same side."}};
static const char *const helped[] = {"Meeting before the board papers went out.",
                                     "Having a facilitator in the room.",
                                     "Being paid for my time like everyone else."};
static const char *const hindered[] = {"Jargon in the papers.", "Meetings moved at short notice.",
                                       "Governance rules nobody could explain."};
static const char *const drivers[] = {"Better discharge for older people", "Fewer complaints",
                                      "Meeting the board's targets", "Carers being recognised",
                                      "Trust in local services"};
static const char *const concerns[] = {"Being used as a tick box", "Budget cuts", "Burn-out",
                                       "Regulatory scrutiny", "Losing the community's trust"};
static const char *const accountabilities[] = {"The ICB board", "Our carers' group",
                                               "CQC", "Local community members", "My line manager"};

#define PICK(arr, r) (arr)[rng_int((r), 0, (int)(sizeof(arr) / sizeof((arr)[0])) - 1)]

static int add_answer(struct ingest *g, const char *code, const char *key, int module,
                      const char *item, const char *value, duet_err *e)
{
    char mod[16];
    snprintf(mod, sizeof mod, "%d", module);
    struct ingest_answer a = {NULL, 0, mod, strlen(mod), code, strlen(code), key, strlen(key),
                              item, strlen(item), value, strlen(value), 0};
    enum ingest_field field;
    if (ingest_add(g, &a, &field, e) != 0) {
        duet_err_prefix(e, "demo answer %s for %s", item, key);
        return -1;
    }
    return 0;
}

static int demo_people(struct store *st, struct member (*mem)[3], int *nmem, int pairs,
                       const char *cohort, rng *r, duet_err *e)
{
    struct store_person staff[] = {
        {"fac.demo", "Helen Brooks (facilitator)", "The programme team", NULL},
        {"pl.facilitator", "Rafiq Ahmed (patient leader co-facilitator)", "The programme team", NULL},
        {"obs.demo", "Joy Mensah (observer)", "University research team", NULL},
    };
    for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++)
        if (store_person_add(st, &staff[i], NULL, e) != 0)
            return -1;
    for (int i = 0; i < pairs; i++) {
        /* P02 is an expert by experience with a regulator; P03 a triad with a GP
        ** and a specialist (genomics) service; the rest patient/carer/advocate
        ** with a system leader, clinician or commissioner. */
        static const char *const lived_roles[] = {"patient_leader", "carer", "advocate"};
        static const char *const system_roles[] = {"system_leader", "clinician", "commissioner"};
        nmem[i] = i == 2 ? 3 : 2;
        for (int m = 0; m < nmem[i]; m++) {
            struct member *x = &mem[i][m];
            x->lived = m == 0;
            const char *role;
            if (i == 1)
                role = m == 0 ? "expert_by_experience" : "regulator";
            else if (i == 2)
                role = m == 0 ? "patient_leader" : m == 1 ? "gp" : "specialist_service";
            else
                role = m == 0 ? lived_roles[i % 3] : system_roles[(i / 3) % 3];
            snprintf(x->role, sizeof x->role, "%s", role);
            const char *first = given[(i * 3 + m * 7) % (sizeof given / sizeof given[0])];
            const char *last = family[(i * 5 + m * 3) % (sizeof family / sizeof family[0])];
            snprintf(x->key, sizeof x->key, "%c%s.%02d%c", first[0] + 32, first + 1, i + 1,
                     'a' + m);
            char name[96], contact[96];
            snprintf(name, sizeof name, "%s %s", first, last);
            snprintf(contact, sizeof contact, "%s@example.org", x->key);
            const char *org = i == 1 && m == 1 ? "Care Quality Commission"
                            : i == 2 && m == 2 ? "Regional Genomics Service"
                            : x->lived ? PICK(lived_orgs, r) : PICK(system_orgs, r);
            struct store_person p = {x->key, name, org, contact};
            if (store_person_add(st, &p, NULL, e) != 0)
                return -1;
            if (store_consent_give(st, x->key, "research", "2026-01", e) != 0 ||
                (rng_uniform(r) < 0.6 && store_consent_give(st, x->key, "quotes", "2026-01", e) != 0))
                return -1;
        }
        char code[16];
        snprintf(code, sizeof code, "P%02d", i + 1);
        struct store_member sm[3];
        for (int m = 0; m < nmem[i]; m++)
            sm[m] = (struct store_member){mem[i][m].key, mem[i][m].role};
        struct store_partnership p = {cohort, code, projects[i % 8],
                                      "To improve the service together, with the people who use it.",
                                      (size_t)nmem[i], sm};
        if (store_partnership_add(st, &p, NULL, e) != 0)
            return -1;
    }
    return 0;
}

static int demo_checkins(struct store *st, const struct demo_options *o, struct member (*mem)[3],
                         const int *nmem, struct demo_report *rep, rng *r, duet_err *e)
{
    struct instrument ins;
    if (instrument_load_default(&ins, e) != 0)
        return -1;
    struct demo_sorts ds;
    memset(&ds, 0, sizeof ds);
    /* Sorts draw from their own generator, so the check-ins do not depend on them. */
    rng_seed(&ds.r, o->seed ^ 0x51534f5254530000ull);
    if (store_qset_get(st, QSET_DEFAULT_NAME, 0, &ds.q, &ds.qset_id, e) != 0) {
        instrument_free(&ins);
        return -1;
    }
    ds.ids = malloc(ds.q.nstatements * sizeof *ds.ids);
    struct ingest *g = ingest_new(st);
    int rc = g && ds.ids ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
    for (size_t i = 0; rc == 0 && i < ds.q.nstatements; i++)
        ds.ids[i] = ds.q.statements[i].id;
    if (rc == 0 && ds.q.ndims != 4)
        rc = duet_errf(e, DUET_EINTERNAL, "the default Q-set has %zu dimensions; the demo's "
                       "model has 4", ds.q.ndims);
    for (int i = 0; rc == 0 && i < o->pairs; i++) {
        enum course c = course_of(i);
        char code[16];
        snprintf(code, sizeof code, "P%02d", i + 1);
        sim_traj tr = {0};
        rc = model_course(c, regime_of(i), o->seed, o->modules, i, &tr, e);
        if (rc == 0) {
            rep->regime[i] = sim_regime_name(tr.regime);
            rc = add_demo_sorts(st, &ds, code, mem[i], nmem[i], &tr, e);
        }
        for (int t = 1; rc == 0 && t <= o->modules; t++) {
            struct latent lived_state = course_state(&tr, 0, t);
            struct latent system_state = course_state(&tr, 1, t);
            for (int m = 0; rc == 0 && m < nmem[i]; m++) {
                const struct member *x = &mem[i][m];
                const struct latent *s = x->lived ? &lived_state : &system_state;
                for (size_t k = 0; rc == 0 && k < ins.nitems; k++) {
                    const struct instrument_item *it = &ins.items[k];
                    char value[256];
                    if (it->type == ITEM_SCALE || it->type == ITEM_LADDER) {
                        snprintf(value, sizeof value, "%d", demo_answer(it, s, x->lived, r));
                    } else if (rng_uniform(r) < 0.35) {
                        if (it->type == ITEM_TEXT)
                            snprintf(value, sizeof value, "%s",
                                     strcmp(it->name, "helped") == 0 ? PICK(helped, r)
                                     : strcmp(it->name, "hindered") == 0 ? PICK(hindered, r)
                                     : discoveries[c][rng_int(r, 0, 2)]);
                        else if (strcmp(it->name, "drivers") == 0)
                            snprintf(value, sizeof value, "%s\n%s", drivers[i % 5], drivers[(i + 2) % 5]);
                        else if (strcmp(it->name, "concerns") == 0)
                            snprintf(value, sizeof value, "%s", concerns[(i + m) % 5]);
                        else
                            snprintf(value, sizeof value, "%s", accountabilities[(i + 2 * m) % 5]);
                    } else {
                        continue;   /* open questions are often left blank */
                    }
                    rc = add_answer(g, code, x->key, t, it->name, value, e);
                }
            }
        }
        sim_traj_free(&tr);
    }
    size_t nc = 0, na = 0;
    if (rc == 0)
        rc = ingest_commit(g, &nc, &na, e);
    for (size_t k = 0; k < ds.n; k++)
        ds.rows[k].values = ds.values + k * ds.q.nstatements;
    if (rc == 0)
        rc = store_qsorts_insert(st, ds.rows, ds.n, e);
    rep->checkins = (int)nc;
    rep->answers = (int)na;
    rep->sorts = rc == 0 ? (int)ds.n : 0;
    ingest_free(g);
    instrument_free(&ins);
    free(ds.rows);
    free(ds.values);
    free(ds.ids);
    qset_free(&ds.q);
    return rc;
}

static int demo_notes(struct store *st, const struct demo_options *o, struct member (*mem)[3],
                      const int *nmem, struct demo_report *rep, rng *r, duet_err *e)
{
    static const char *const vis[] = {"private", "partner", "programme"};
    for (int i = 0; i < o->pairs; i++) {
        enum course c = course_of(i);
        char code[16];
        snprintf(code, sizeof code, "P%02d", i + 1);
        for (int t = 1; t <= o->modules; t++) {
            double u = o->modules > 1 ? (double)(t - 1) / (o->modules - 1) : 1;
            double share = c == TOKENISTIC ? 0.2 : c == POLARISING ? 0.5 : 0.35 + 0.12 * u;
            struct store_observation ob = {
                "obs.demo", code, t,
                c == IMPROVING ? "Both partners built on each other's points; decisions were "
                                 "made together."
                : c == TOKENISTIC ? "The system leader chaired and summarised; the patient "
                                    "leader was asked for comments at the end."
                                  : "The partners talked past each other; each returned to "
                                    "their own organisation's position.",
                clamp01(share + 0.05 * rng_normal(r)),
                c == TOKENISTIC ? rng_int(r, 0, 1) : rng_int(r, 1, 3),
                c == TOKENISTIC ? rng_int(r, 2, 4) : rng_int(r, 1, 3)};
            if (store_observation_add(st, &ob, NULL, e) != 0)
                return -1;
            rep->observations++;
            if (t != 2 && t != o->modules)
                continue;
            for (int m = 0; m < nmem[i]; m++) {
                char text[512];
                snprintf(text, sizeof text, "Module %d. %s %s", t, discoveries[c][rng_int(r, 0, 2)],
                         mem[i][m].lived ? "I want my experience to count for more than a quote."
                                         : "I need to show the board what we have achieved.");
                if (store_reflection_add(st, mem[i][m].key, code, t, vis[rng_int(r, 0, 2)], text,
                                         NULL, e) != 0)
                    return -1;
                rep->reflections++;
            }
        }
        if (store_project_log_add(st, code, "obstacle", "Papers arrive too late to read them "
                                  "together.", "2026-02-10", NULL, e) != 0 ||
            store_project_log_add(st, code, "lever", c == IMPROVING
                                  ? "Carers' right to an assessment (Care Act 2014, s.10)"
                                  : "The duty of candour (CQC Regulation 20)", "2026-03-05",
                                  NULL, e) != 0)
            return -1;
    }
    return 0;
}

int setup_demo(struct store *st, const struct demo_options *o, struct demo_report *rep,
               duet_err *e)
{
    if (o->pairs < 3 || o->pairs > SETUP_DEMO_MAX_PAIRS)
        return duet_errf(e, DUET_EINPUT, "--pairs %d is outside 3..500 (the demo needs at least "
                         "a pair, a triad and a regulator pair)", o->pairs);
    if (o->modules < 2 || o->modules > 50)
        return duet_errf(e, DUET_EINPUT, "--modules %d is outside 2..50", o->modules);
    memset(rep, 0, sizeof *rep);
    rep->programme = "Leading collaboratively (demo)";
    rep->cohort = "Demo cohort 2026";
    rng r;
    rng_seed(&r, o->seed);
    struct member (*mem)[3] = calloc((size_t)o->pairs, sizeof *mem);
    int *nmem = calloc((size_t)o->pairs, sizeof *nmem);
    if (mem == NULL || nmem == NULL) {
        free(mem);
        free(nmem);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    int rc = store_begin(st, e);
    if (rc == 0)
        rc = setup_default_instrument(st, e);
    if (rc == 0)
        rc = setup_default_qset(st, e);
    if (rc == 0)
        rc = setup_default_codebook(st, e);
    if (rc == 0 && store_programme_add(st, rep->programme, "A synthetic programme made by "
                                       "'duet demo' to explore duet. Nobody in it is real.",
                                       NULL, e) != 0) {
        if (e->code == DUET_ECONFLICT)
            duet_errf(e, DUET_ECONFLICT, "this database already holds the demo programme; "
                      "use a new database (--db PATH)");
        rc = -1;
    }
    if (rc == 0)
        rc = store_cohort_add(st, rep->programme, rep->cohort, "2026-01-15", NULL, e);
    for (int t = 1; rc == 0 && t <= o->modules; t++) {
        char date[16];
        int month = 1 + (t - 1) % 12, year = 2026 + (t - 1) / 12;
        snprintf(date, sizeof date, "%04d-%02d-15", year, month);
        rc = store_module_add(st, rep->cohort, t, date,
                              themes[t == o->modules ? 6 : (t - 1) % 6], NULL, e);
    }
    if (rc == 0)
        rc = demo_people(st, mem, nmem, o->pairs, rep->cohort, &r, e);
    if (rc == 0 && !o->structure_only) {
        rc = demo_checkins(st, o, mem, nmem, rep, &r, e);
        if (rc == 0)
            rc = demo_notes(st, o, mem, nmem, rep, &r, e);
    }
    if (rc == 0)
        rc = store_commit(st, e);
    else
        store_rollback(st);
    if (rc == 0) {
        rep->partnerships = o->pairs;
        rep->people = 3;
        for (int i = 0; i < o->pairs; i++)
            rep->people += nmem[i];
    }
    free(mem);
    free(nmem);
    return rc;
}
