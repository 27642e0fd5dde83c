/*
** web/norms.h — what the Q-sort pages (norms.c) lend the partnership page
** (participant.c): the success banner after a sort and the list of the
** caller's sorts with links to the sorting page. Both write nothing for
** anyone but a participant.
*/
#ifndef DUET_WEB_NORMS_H
#define DUET_WEB_NORMS_H

#include <jansson.h>

#include "web/web.h"

/* The "Sort saved" banner for ?sorted=N, shown only when the caller's sort
** for module N of the partnership really exists. partnership is the
** partnership page's data ({partnership, cohort, modules: [{module}]}). */
void norms_sort_banner(struct web_req *rq, struct web_res *rs, json_t *partnership);

/* The partnership page's "Unspoken norms" section: every module with the
** caller's sort status and a link to sort the statements for it. */
void norms_sort_section(struct web_req *rq, struct web_res *rs, json_t *partnership);

#endif
