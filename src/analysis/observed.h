/*
** observed.h — a cohort's observed summaries as a calibration target: the
** statistics the pair identity model is fitted to (model/abc.h, `duet
** calibrate`), computed from the cohort's own check-ins and Q-sorts.
**
** The measurement model is the one the demo uses to turn the model's state
** into answers (src/app/demo.c; docs/norms.md, "Calibrating from the
** data"): the model's quality q in 0..1 is (score - min) / (max - min) of
** the check-in's quality (the mean of voice, trust, purpose and safety);
** balance is the lived-experience side's share of the strain above the
** scale's floor (compromise_share_lived of analysis/relationships.h);
** member i resisted at a module when the other side's resistance-met score
** is above the middle of its scale; regimes are those of the Q-sorts
** (analysis/norms.h). Only people whose consent for purpose is in force
** count. Nothing here prints.
*/
#ifndef DUET_ANALYSIS_OBSERVED_H
#define DUET_ANALYSIS_OBSERVED_H

#include <jansson.h>

#include "core/err.h"

struct store;

/* The target for cohort (NULL: every cohort), in the shape of `duet simulate
** --summary` that abc_target_parse reads: {regimes: {partnership,
** patient_native, system_native, polarised, stalled} (shares of the
** partnerships with a regime from their sorts), mean_final_quality:
** {patient, system}, resistance_rate: {patient, system}, mean_balance,
** modules, dims, pairs} — each part only when the data give it (regimes and
** dims need sorts; the rest check-ins). pairs is the number of partnerships
** (the simulation size a calibration should use). DUET_ENOTFOUND when the
** cohort has neither check-ins nor sorts to use. */
json_t *observed_target(struct store *st, const char *cohort, const char *purpose, duet_err *e);

#endif
