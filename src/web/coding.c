/*
** coding.c — coding passages in the browser and the API (docs/coding.md):
** the list of codable documents, a document with its coded passages and a
** form to code another, removing one's own passages, memos, and blind mode.
**
** What may be coded is the store's business (the view "codable": texts
** shared with the programme by people whose research consent is in force,
** observers' notes on consenting partnerships); anything else is "not
** found", so a private reflection's existence never shows. Authors appear
** by pseudonym only. While blind mode is on, a coder sees only their own
** passages, in the page, the highlights and the API alike.
**
** Choosing a passage needs no mouse and no JavaScript: the coder types or
** pastes its exact words (and, when they appear more than once, which
** occurrence). duet.js adds selecting it in the text, with the mouse or the
** keyboard, which fills the same field and the character positions; the
** server checks that the positions hold those words before using them.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "io/codebook.h"
#include "store/store.h"
#include "web/html.h"
#include "web/paging.h"
#include "web/staffui.h"
#include "web/web.h"

#define PASSAGE_MAX 20000        /* bytes of a passage typed into the form */
#define MEMO_MAX    20000

/* ---- shared pieces ---- */

/* The document named by the route's {kind} and {id}, or NULL after writing
** a 404 (page or JSON). */
static json_t *document(struct web_req *rq, struct web_res *rs, int is_api, int64_t *id)
{
    long n;
    duet_err e;
    if (rq->nparams < 2 || !staffui_int(rq->params[1], 1, 2147483647L, &n)) {
        duet_errf(&e, DUET_ENOTFOUND, "there is no such document");
        staffui_fail(rq, rs, is_api, &e);
        return NULL;
    }
    *id = n;
    json_t *doc = store_coding_document(rq->st, rq->params[0], n, &e);
    if (doc == NULL)
        staffui_fail(rq, rs, is_api, &e);
    return doc;
}

static int blind_mode(struct web_req *rq, duet_err *e)
{
    int blind = 1;
    return store_coding_blind(rq->st, &blind, e) == 0 ? blind : -1;
}

/* The selections this coder may see on the document: their own while
** blind, everyone's otherwise. */
static json_t *visible(struct web_req *rq, const char *kind, int64_t id, int blind, duet_err *e)
{
    return store_coding_selections(rq->st, kind, id, blind ? rq->who->person_key : NULL, e);
}

/* "Reflection by P03-L1" / "Observer's note" / the imported name. */
static void doc_title(const json_t *doc, char *out, size_t n)
{
    const char *kind = staffui_str(doc, "kind");
    if (strcmp(kind, "reflection") == 0)
        snprintf(out, n, "Reflection by %s", staffui_str(doc, "pseudonym"));
    else if (strcmp(kind, "observation") == 0)
        snprintf(out, n, "Observer's note on %s", staffui_str(doc, "partnership"));
    else
        snprintf(out, n, "Imported text %lld",
                 (long long)json_integer_value(json_object_get(doc, "id")));
}

static void doc_href(char *out, size_t n, const char *kind, json_int_t id, const char *suffix)
{
    snprintf(out, n, "/coding/%s/%lld%s", kind, (long long)id, suffix);
}

/* The codebook whose codes the form offers: ?codebook=NAME, else the one
** stored last. */
static int offered_codebook(struct web_req *rq, struct codebook *cb, duet_err *e)
{
    const char *want = web_query(rq, "codebook");
    if (want && *want)
        return store_codebook_get(rq->st, want, 0, cb, e);
    json_t *rows = store_codebook_list(rq->st, e);
    if (rows == NULL)
        return -1;
    const char *name = NULL, *latest = "";
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (strcmp(staffui_str(r, "created_at"), latest) >= 0) {
            latest = staffui_str(r, "created_at");
            name = staffui_str(r, "name");
        }
    int rc = name ? store_codebook_get(rq->st, name, 0, cb, e)
                  : duet_errf(e, DUET_ENOTFOUND, "there is no codebook yet: import one with "
                                                 "'duet codebook import'");
    json_decref(rows);
    return rc;
}

/* ---- the list of documents ---- */

static void blind_form(struct web_req *rq, struct web_res *rs, int blind)
{
    duet_buf *b = &rs->body;
    html_printf(b, "<div class=\"nhsuk-inset-text\">\n<span class=\"nhsuk-u-visually-hidden\">"
                   "Information: </span>\n<p>%s</p>\n<form method=\"post\" "
                   "action=\"/coding/blind\" novalidate>",
                blind ? "Blind coding is on: each coder sees only their own coded passages, "
                        "so that agreement between coders means something."
                      : "Blind coding is off: coders see each other's coded passages.");
    page_csrf_field(rq, rs);
    html_printf(b, "<input type=\"hidden\" name=\"blind\" value=\"%s\">"
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "%s</button></form>\n</div>\n",
                blind ? "off" : "on",
                blind ? "Reveal everyone's coding" : "Hide other coders' coding again");
}

static void get_documents(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    const char *cohort = web_query(rq, "cohort");
    if (cohort && *cohort == '\0')
        cohort = NULL;
    int blind = blind_mode(rq, &e);
    json_t *docs = blind < 0 ? NULL
                             : store_coding_documents(rq->st, cohort, rq->who->person_key, &e);
    if (docs == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    duet_buf *b = &rs->body;
    page_begin(rq, rs, "Coding");
    page_back(rs, "/home", "Back to the cohorts");
    html_printf(b, "<h1>Coding</h1>\n<p>These are the texts you may code: reflections their "
                   "authors shared with the programme team and observers' notes, from people "
                   "whose research consent is in force, and imported texts. Private and "
                   "partner-only reflections are never shown. Authors appear by pseudonym.</p>\n");
    blind_form(rq, rs, blind);
    if (json_array_size(docs) == 0) {
        html_printf(b, "<p>There is nothing to code yet.</p>\n");
    } else {
        html_scroll_begin(b, "Texts to code");
        html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                       "Texts to code</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                       "class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                       "scope=\"col\">Text</th><th class=\"nhsuk-table__header\" scope=\"col\">"
                       "Cohort</th><th class=\"nhsuk-table__header\" scope=\"col\">Module</th>"
                       "<th class=\"nhsuk-table__header nhsuk-table__header--numeric\" "
                       "scope=\"col\">Characters</th><th class=\"nhsuk-table__header "
                       "nhsuk-table__header--numeric\" scope=\"col\">Your coded passages</th>"
                       "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d) {
            char title[200], href[96], module[16] = "";
            doc_title(d, title, sizeof title);
            doc_href(href, sizeof href, staffui_str(d, "kind"),
                     json_integer_value(json_object_get(d, "id")), "");
            if (json_is_integer(json_object_get(d, "module")))
                snprintf(module, sizeof module, "%lld",
                         (long long)json_integer_value(json_object_get(d, "module")));
            html_printf(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">"
                           "<a href=\"%s\">%s</a></td><td class=\"nhsuk-table__cell\">%s</td>"
                           "<td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell"
                           " nhsuk-table__cell--numeric\">%" PRId64 "</td><td class=\"nhsuk-table__cell "
                           "nhsuk-table__cell--numeric\">%" PRId64 "</td></tr>\n",
                        href, title, staffui_str(d, "cohort"), module,
                        (int64_t)json_integer_value(json_object_get(d, "length")),
                        (int64_t)json_integer_value(json_object_get(d, "selections")));
        }
        html_printf(b, "</tbody>\n</table>\n");
        html_scroll_end(b);
    }
    page_end(rq, rs);
    json_decref(docs);
}

static void post_blind(struct web_req *rq, struct web_res *rs)
{
    const char *v = http_form_get(&rq->form, "blind");
    if (v == NULL || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)) {
        page_error(rq, rs, 422, "Choose whether coding is blind.");
        return;
    }
    duet_err e;
    if (store_coding_set_blind(rq->st, strcmp(v, "on") == 0, &e) != 0) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    web_redirect(rs, "/coding");
}

/* ---- one document ---- */

/* The document's text with coded stretches in <mark>: the text is cut at
** every passage boundary (code points), and a stretch inside some passage
** is marked. The marks add no text, so positions in the element's text are
** positions in the document (duet.js relies on it). */
static void marked_text(duet_buf *b, const char *text, json_t *sel)
{
    size_t n = strlen(text), ncut = 0;
    size_t nsel = json_array_size(sel);
    size_t *cut = malloc((2 * nsel + 2) * sizeof *cut);
    if (cut == NULL) {
        html_text(b, text);
        return;
    }
    cut[ncut++] = 0;
    cut[ncut++] = utf8_codepoints(text, n);
    for (size_t i = 0; i < nsel; i++) {
        json_t *s = json_array_get(sel, i);
        cut[ncut++] = (size_t)json_integer_value(json_object_get(s, "start"));
        cut[ncut++] = (size_t)json_integer_value(json_object_get(s, "end"));
    }
    for (size_t i = 1; i < ncut; i++)       /* insertion sort: few cuts */
        for (size_t j = i; j > 0 && cut[j - 1] > cut[j]; j--) {
            size_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }
    for (size_t k = 0; k + 1 < ncut; k++) {
        size_t a = cut[k], z = cut[k + 1];
        if (a == z)
            continue;
        int coded = 0;
        for (size_t i = 0; i < nsel && !coded; i++) {
            json_t *s = json_array_get(sel, i);
            coded = (size_t)json_integer_value(json_object_get(s, "start")) <= a &&
                    (size_t)json_integer_value(json_object_get(s, "end")) >= z;
        }
        size_t ba = utf8_offset(text, n, a), bz = utf8_offset(text, n, z);
        char *part = strndup(text + ba, bz - ba);
        if (part == NULL)
            break;
        html_printf(b, coded ? "<mark class=\"duet-coded\">%s</mark>" : "%s", part);
        free(part);
    }
    free(cut);
}

/* The words of [start, end) of text (malloc'd). */
static char *passage_of(const char *text, size_t start, size_t end)
{
    size_t n = strlen(text);
    size_t a = utf8_offset(text, n, start), z = utf8_offset(text, n, end);
    return strndup(text + a, z > a ? z - a : 0);
}

static void selections_table(struct web_req *rq, struct web_res *rs, const json_t *doc,
                             json_t *sel)
{
    duet_buf *b = &rs->body;
    const char *text = staffui_str(doc, "text");
    char action[96];
    doc_href(action, sizeof action, staffui_str(doc, "kind"),
             json_integer_value(json_object_get(doc, "id")), "/remove");
    html_printf(b, "<h2 id=\"coded\">Coded passages</h2>\n");
    if (json_array_size(sel) == 0) {
        html_printf(b, "<p>No passages are coded yet%s.</p>\n", "");
        return;
    }
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-u-visually-hidden\">Coded passages</caption>\n<thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Passage</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Characters</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Codes</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Coder</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\"><span "
                   "class=\"nhsuk-u-visually-hidden\">Actions</span></th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n");
    size_t i, k;
    json_t *s, *c;
    json_array_foreach(sel, i, s) {
        size_t a = (size_t)json_integer_value(json_object_get(s, "start"));
        size_t z = (size_t)json_integer_value(json_object_get(s, "end"));
        char *words = passage_of(text, a, z);
        html_printf(b, "<tr class=\"nhsuk-table__row\" data-selection=\"%s\"><td "
                       "class=\"nhsuk-table__cell\">“%s”</td><td class=\"nhsuk-table__cell\">"
                       "%" PRId64 " to %" PRId64 "</td><td class=\"nhsuk-table__cell\"><ul "
                       "class=\"nhsuk-list\">",
                    staffui_str(s, "selection"), words ? words : "", (int64_t)a, (int64_t)z);
        free(words);
        json_array_foreach(json_object_get(s, "codes"), k, c)
            html_printf(b, "<li>%s</li>", staffui_str(c, "name"));
        const char *coder = staffui_str(s, "coder");
        int own = strcmp(coder, rq->who->person_key) == 0;
        html_printf(b, "</ul></td><td class=\"nhsuk-table__cell\">%s</td><td "
                       "class=\"nhsuk-table__cell\">", own ? "You" : coder);
        if (own) {
            html_printf(b, "<form method=\"post\" action=\"%s\" novalidate>", action);
            page_csrf_field(rq, rs);
            html_printf(b, "<input type=\"hidden\" name=\"selection\" value=\"%s\"><button "
                           "class=\"nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                           "\" type=\"submit\">Remove<span class=\"nhsuk-u-visually-hidden\"> "
                           "the passage from %" PRId64 " to %" PRId64 "</span></button></form>",
                        staffui_str(s, "selection"), (int64_t)a, (int64_t)z);
        }
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
}

/* The codes as checkboxes, indented by depth, each with its definition. */
static void code_checkboxes(duet_buf *b, const struct codebook *cb,
                            const struct staffui_errors *fe, const struct http_form *sent)
{
    staffui_group_open(b, fe, "codes");
    html_printf(b, "<fieldset class=\"nhsuk-fieldset\" aria-describedby=\"codes-hint%s\">\n"
                   "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Codes "
                   "to apply</legend>\n<div class=\"nhsuk-hint\" id=\"codes-hint\">From the "
                   "codebook ‘%s’ (version %d). Choose one or more.</div>\n",
                staffui_error_for(fe, "codes") ? " codes-error" : "", cb->name, cb->version);
    staffui_error_message(b, fe, "codes");
    html_printf(b, "<div class=\"nhsuk-checkboxes\">\n");
    for (size_t i = 0; i < cb->ncodes; i++) {
        const struct codebook_code *k = &cb->codes[i];
        int checked = 0;
        for (size_t j = 0; sent && j < sent->n; j++)
            checked |= strcmp(sent->f[j].name, "code") == 0 &&
                       strcmp(sent->f[j].value, k->guid) == 0;
        html_printf(b, "<div class=\"nhsuk-checkboxes__item duet-code-depth-%d\">"
                       "<input class=\"nhsuk-checkboxes__input\" id=\"code-%s\" name=\"code\" "
                       "type=\"checkbox\" value=\"%s\"",
                    (int)(k->depth > 3 ? 3 : k->depth), k->guid, k->guid);
        html_raw_if(b, checked, " checked");
        if (k->definition)
            html_printf(b, " aria-describedby=\"code-hint-%s\"", k->guid);
        html_printf(b, "><label class=\"nhsuk-label "
                       "nhsuk-checkboxes__label\" for=\"code-%s\">%s</label>",
                    k->guid, k->name);
        if (k->definition)
            html_printf(b, "<div class=\"nhsuk-hint nhsuk-checkboxes__hint\" "
                           "id=\"code-hint-%s\">%s</div>", k->guid, k->definition);
        html_printf(b, "</div>\n");
    }
    html_printf(b, "</div>\n</fieldset>\n</div>\n");
}

static void code_form(struct web_req *rq, struct web_res *rs, const json_t *doc,
                      const struct codebook *cb, const struct staffui_errors *fe,
                      const struct http_form *sent)
{
    duet_buf *b = &rs->body;
    char action[96];
    doc_href(action, sizeof action, staffui_str(doc, "kind"),
             json_integer_value(json_object_get(doc, "id")), "");
    const char *passage = sent ? http_form_get(sent, "passage") : NULL;
    const char *occ = sent ? http_form_get(sent, "occurrence") : NULL;
    html_printf(b, "<h2 id=\"code-a-passage\">Code a passage</h2>\n<form method=\"post\" "
                   "action=\"%s\" novalidate data-coding-form>\n", action);
    page_csrf_field(rq, rs);
    staffui_textarea(b, fe, "passage", "Passage",
                     "Type or paste its exact words from the text above, or select them in "
                     "the text.", passage ? passage : "", PASSAGE_MAX);
    staffui_input(b, fe, "occurrence", "Which time the words appear (only if more than once)",
                  "For example, 2 for the second time.", occ ? occ : "", "text",
                  "inputmode=\"numeric\" spellcheck=\"false\"", "nhsuk-input--width-4");
    html_printf(b, "<input type=\"hidden\" name=\"start\" value=\"\" data-coding-start>"
                   "<input type=\"hidden\" name=\"end\" value=\"\" data-coding-end>\n"
                   "<p class=\"nhsuk-body-s\" role=\"status\" aria-live=\"polite\" "
                   "data-coding-status></p>\n");
    code_checkboxes(b, cb, fe, sent);
    html_printf(b, "<button class=\"nhsuk-button\" type=\"submit\">Apply codes</button>\n"
                   "</form>\n");
}

/* The memos on a document the coder may read: while blind, memos on other
** coders' codings would show their coding, so those stay hidden. */
static json_t *visible_memos(struct web_req *rq, const char *kind, int64_t id, int blind,
                             duet_err *e)
{
    json_t *memos = store_coding_memo_list(rq->st, kind, id, e);
    for (size_t i = json_array_size(memos); blind && i-- > 0;) {
        json_t *m = json_array_get(memos, i);
        const char *coder = json_string_value(json_object_get(m, "coder"));
        if (coder && strcmp(coder, rq->who->person_key) != 0)
            json_array_remove(memos, i);
    }
    return memos;
}

/* "Trust: “the first words of the passage…”" for a coding in the form. */
static void coding_label(const char *text, json_t *s, const char *code, char *out, size_t n)
{
    size_t a = (size_t)json_integer_value(json_object_get(s, "start"));
    size_t z = (size_t)json_integer_value(json_object_get(s, "end"));
    int more = z - a > 40;
    char *words = passage_of(text, a, more ? a + 40 : z);
    snprintf(out, n, "%s: “%s%s”", code, words ? words : "", more ? "…" : "");
    free(words);
}

static void memos_section(struct web_req *rq, struct web_res *rs, const json_t *doc,
                          const struct staffui_errors *fe, json_t *sel, int blind)
{
    duet_buf *b = &rs->body;
    duet_err e;
    const char *kind = staffui_str(doc, "kind");
    json_int_t id = json_integer_value(json_object_get(doc, "id"));
    json_t *memos = visible_memos(rq, kind, id, blind, &e);
    html_printf(b, "<h2 id=\"memos\">Memos</h2>\n");
    size_t i, k;
    json_t *m, *s, *c;
    json_array_foreach(memos, i, m) {
        html_printf(b, "<div class=\"nhsuk-inset-text\">");
        if (strcmp(staffui_str(m, "target"), "coding") == 0)
            html_printf(b, "<p class=\"nhsuk-body-s\">On %s's coding ‘%s’</p>",
                        staffui_str(m, "coder"), staffui_str(m, "code_name"));
        html_printf(b, "<p class=\"duet-preline\">%s</p><p class=\"nhsuk-body-s\">%s, %s</p>"
                       "</div>\n", staffui_str(m, "text"), staffui_str(m, "author"),
                    staffui_str(m, "created_at"));
    }
    json_decref(memos);
    char action[96];
    doc_href(action, sizeof action, kind, id, "/memo");
    html_printf(b, "<form method=\"post\" action=\"%s\" novalidate>\n", action);
    page_csrf_field(rq, rs);
    if (json_array_size(sel) > 0) {
        html_printf(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                       "for=\"about\">What the memo is about</label><select "
                       "class=\"nhsuk-select\" id=\"about\" name=\"about\"><option value=\"\">"
                       "The whole text</option>");
        json_array_foreach(sel, i, s)
            json_array_foreach(json_object_get(s, "codes"), k, c) {
                char label[256];
                coding_label(staffui_str(doc, "text"), s, staffui_str(c, "name"), label,
                             sizeof label);
                html_printf(b, "<option value=\"%s\">%s</option>", staffui_str(c, "coding"),
                            label);
            }
        html_printf(b, "</select></div>\n");
    }
    staffui_textarea(b, fe, "memo", "Add a memo",
                     "Your thoughts on this text or one of its codings: other coders see "
                     "memos (while coding is blind, only those on the text itself and on "
                     "their own codings).", "", MEMO_MAX);
    html_printf(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Add memo</button>\n</form>\n");
}

static void document_page(struct web_req *rq, struct web_res *rs, json_t *doc,
                          const struct staffui_errors *fe, const struct http_form *sent,
                          const char *done)
{
    duet_err e;
    int blind = blind_mode(rq, &e);
    const char *kind = staffui_str(doc, "kind");
    json_int_t id = json_integer_value(json_object_get(doc, "id"));
    json_t *sel = blind < 0 ? NULL : visible(rq, kind, id, blind, &e);
    struct codebook cb;
    memset(&cb, 0, sizeof cb);
    if (sel == NULL || offered_codebook(rq, &cb, &e) != 0) {
        json_decref(sel);
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    if (fe && fe->n)
        rs->status = 422;
    char title[200];
    doc_title(doc, title, sizeof title);
    duet_buf *b = &rs->body;
    page_begin(rq, rs, title);
    page_back(rs, "/coding", "Back to the texts to code");
    if (fe)
        staffui_error_summary(b, fe);
    if (done && *done)
        html_printf(b, "<div class=\"nhsuk-inset-text duet-done\" role=\"status\"><p>%s</p>"
                       "</div>\n", done);
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>%s</h1>\n",
                staffui_str(doc, "cohort"), title);
    if (json_is_integer(json_object_get(doc, "module")))
        html_printf(b, "<p>Partnership %s, module %" PRId64 ".</p>\n", staffui_str(doc, "partnership"),
                    (int64_t)json_integer_value(json_object_get(doc, "module")));
    html_printf(b, "<p class=\"nhsuk-body-s\">%s</p>\n",
                blind ? "Blind coding is on: you see only your own coded passages."
                      : "Blind coding is off: you see every coder's passages.");
    html_printf(b, "<h2 id=\"text-heading\">Text</h2>\n<p class=\"nhsuk-body-s\" "
                   "id=\"text-help\">Coded stretches are highlighted. To code a passage, "
                   "select it here (with the mouse, or with the keyboard where your browser "
                   "allows) or type its words in the form below.</p>\n"
                   "<div class=\"duet-coding-text\" id=\"coding-text\" tabindex=\"0\" "
                   "role=\"region\" aria-labelledby=\"text-heading\" "
                   "aria-describedby=\"text-help\" data-coding-text>");
    marked_text(b, staffui_str(doc, "text"), sel);
    html_printf(b, "</div>\n");
    code_form(rq, rs, doc, &cb, fe, sent);
    selections_table(rq, rs, doc, sel);
    memos_section(rq, rs, doc, fe, sel, blind);
    page_end(rq, rs);
    json_decref(sel);
    codebook_free(&cb);
}

static void get_document(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 0, &id);
    if (doc == NULL)
        return;
    const char *done = web_query(rq, "done");
    const char *msg = NULL;
    if (done && strcmp(done, "coded") == 0)
        msg = "The passage is coded.";
    else if (done && strcmp(done, "removed") == 0)
        msg = "The passage is removed.";
    else if (done && strcmp(done, "memo") == 0)
        msg = "The memo is added.";
    document_page(rq, rs, doc, NULL, NULL, msg);
    json_decref(doc);
}

/* Normalises typed words: CR LF to LF, surrounding white space trimmed. */
static char *normalise(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    char *out = strdup(s), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *p = out; *p; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
            *o++ = *p;
    *o = '\0';
    while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n' || o[-1] == '\r'))
        *--o = '\0';
    return out;
}

/* Finds the passage in text: the positions sent by duet.js when they hold
** these words, else the occurrence-th appearance of the words. */
static void locate(const char *text, const struct http_form *f, size_t *start, size_t *end,
                   struct staffui_errors *fe)
{
    const char *typed = http_form_get(f, "passage");
    char *words = typed && staffui_text_ok(typed, PASSAGE_MAX, 1) ? normalise(typed) : NULL;
    if (words == NULL || *words == '\0') {
        staffui_error_add(fe, "passage", "%s", typed && *typed && words == NULL
                          ? "The passage is too long or holds characters that cannot be used"
                          : "Enter the passage's words, or select them in the text");
        free(words);
        return;
    }
    size_t len = utf8_codepoints(words, strlen(words));
    long s = -1, occ = 0;
    const char *ss = http_form_get(f, "start"), *se = http_form_get(f, "end");
    long a, z;
    if (ss && se && staffui_int(ss, 0, 2147483647L, &a) && staffui_int(se, 0, 2147483647L, &z) &&
        z > a) {
        char *there = passage_of(text, (size_t)a, (size_t)z);
        char *norm = there ? normalise(there) : NULL;
        if (norm && strcmp(norm, words) == 0) {
            *start = (size_t)a;
            *end = (size_t)z;
            free(there);
            free(norm);
            free(words);
            return;
        }
        free(there);
        free(norm);
    }
    const char *o = http_form_get(f, "occurrence");
    if (o && *o && !staffui_int(o, 1, 100000, &occ)) {
        staffui_error_add(fe, "occurrence", "Enter a whole number, such as 2, or leave it empty");
        free(words);
        return;
    }
    size_t count = 0;
    for (const char *p = strstr(text, words); p; p = strstr(p + 1, words)) {
        count++;
        if ((occ == 0 && count == 1) || (long)count == occ)
            s = (long)utf8_codepoints(text, (size_t)(p - text));
    }
    if (count == 0)
        staffui_error_add(fe, "passage", "These words are not in the text: copy them exactly, "
                          "or select them in the text");
    else if (occ == 0 && count > 1)
        staffui_error_add(fe, "occurrence", "These words appear %zu times: say which one "
                          "(1 to %zu)", count, count);
    else if (occ > (long)count)
        staffui_error_add(fe, "occurrence", "These words appear only %zu time%s", count,
                          count == 1 ? "" : "s");
    else {
        *start = (size_t)s;
        *end = (size_t)s + len;
    }
    free(words);
}

static void post_document(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 0, &id);
    if (doc == NULL)
        return;
    struct staffui_errors fe = {0};
    size_t start = 0, end = 0, n = 0;
    const char *codes[STORE_CODING_MAX_CODES];
    locate(staffui_str(doc, "text"), &rq->form, &start, &end, &fe);
    for (size_t i = 0; i < rq->form.n; i++)
        if (strcmp(rq->form.f[i].name, "code") == 0) {
            if (n == STORE_CODING_MAX_CODES) {
                staffui_error_add(&fe, "codes", "Choose at most %d codes at once",
                                  STORE_CODING_MAX_CODES);
                break;
            }
            codes[n++] = rq->form.f[i].value;
        }
    if (n == 0)
        staffui_error_add(&fe, "codes", "Choose at least one code");
    duet_err e;
    if (fe.n == 0 && store_coding_add(rq->st, rq->params[0], id, rq->who->person_key, start, end,
                                      codes, n, NULL, &e) != 0) {
        if (e.code != DUET_EINPUT && e.code != DUET_ENOTFOUND && e.code != DUET_ECONFLICT) {
            json_decref(doc);
            staffui_fail(rq, rs, 0, &e);
            return;
        }
        staffui_error_add(&fe, "codes", "%s", e.msg);
    }
    if (fe.n) {
        document_page(rq, rs, doc, &fe, &rq->form, NULL);
    } else {
        char to[128];
        doc_href(to, sizeof to, rq->params[0], id, "?done=coded#coded");
        web_redirect(rs, to);
    }
    json_decref(doc);
}

static void post_remove(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 0, &id);
    if (doc == NULL)
        return;
    json_decref(doc);
    const char *sel = http_form_get(&rq->form, "selection");
    duet_err e;
    if (sel == NULL || !codebook_valid_guid(sel)) {
        page_error(rq, rs, 422, "Say which passage to remove.");
        return;
    }
    if (store_coding_remove(rq->st, sel, rq->who->person_key, &e) != 0) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    char to[128];
    doc_href(to, sizeof to, rq->params[0], id, "?done=removed#coded");
    web_redirect(rs, to);
}

static void post_memo(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 0, &id);
    if (doc == NULL)
        return;
    struct staffui_errors fe = {0};
    const char *text = http_form_get(&rq->form, "memo");
    if (text == NULL || *text == '\0')
        staffui_error_add(&fe, "memo", "Write the memo");
    else if (!staffui_text_ok(text, MEMO_MAX, 1))
        staffui_error_add(&fe, "memo", "The memo is too long or holds characters that cannot "
                                       "be used");
    const char *about = http_form_get(&rq->form, "about");
    if (about && *about == '\0')
        about = NULL;
    if (about && !codebook_valid_guid(about))
        staffui_error_add(&fe, "about", "Choose what the memo is about from the list");
    duet_err e;
    if (fe.n == 0 && store_coding_memo_add(rq->st, rq->params[0], id, about, text,
                                           rq->who->person_key, NULL, &e) != 0)
        staffui_error_add(&fe, "memo", "%s", e.msg);
    if (fe.n) {
        document_page(rq, rs, doc, &fe, NULL, NULL);
    } else {
        char to[128];
        doc_href(to, sizeof to, rq->params[0], id, "?done=memo#memos");
        web_redirect(rs, to);
    }
    json_decref(doc);
}

/* ---- the API ---- */

/* One page of the documents: {documents, next}. The cursor is the number
** of documents on the pages before. */
static void api_documents(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    struct web_paging pg;
    int64_t offset;
    if (web_paging_read(rq, &pg, &e) != 0 || web_paging_ints(&pg, 1, &offset, &e) != 0) {
        web_paging_fail(rq, rs, 1, &e);
        return;
    }
    const char *cohort = web_query(rq, "cohort");
    json_t *docs = store_coding_documents_page(rq->st, cohort && *cohort ? cohort : NULL,
                                               rq->who->person_key, offset, pg.limit + 1, &e);
    if (docs == NULL) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    char next[32] = "";
    if ((int64_t)json_array_size(docs) > pg.limit) {
        json_array_remove(docs, json_array_size(docs) - 1);
        snprintf(next, sizeof next, "%lld", (long long)(offset + pg.limit));
    }
    web_json(rs, 200, json_pack("{s:o, s:o}", "documents", docs, "next",
                                web_paging_next(rq, &pg, next[0] ? next : NULL)));
}

static void api_document(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 1, &id);
    if (doc == NULL)
        return;
    duet_err e;
    int blind = blind_mode(rq, &e);
    json_t *sel = blind < 0 ? NULL : visible(rq, rq->params[0], id, blind, &e);
    json_t *memos = sel ? visible_memos(rq, rq->params[0], id, blind, &e) : NULL;
    if (memos == NULL) {
        json_decref(sel);
        json_decref(doc);
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    json_object_set_new(doc, "blind", json_boolean(blind));
    json_object_set_new(doc, "selections", sel);
    json_object_set_new(doc, "memos", memos);
    web_json(rs, 200, doc);
}

static void api_add(struct web_req *rq, struct web_res *rs)
{
    int64_t id;
    json_t *doc = document(rq, rs, 1, &id);
    if (doc == NULL)
        return;
    json_decref(doc);
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    struct staffui_errors fe = {0};
    json_t *js = json_object_get(body, "start"), *je = json_object_get(body, "end");
    json_t *jc = json_object_get(body, "codes");
    if (!json_is_integer(js) || json_integer_value(js) < 0)
        staffui_error_add(&fe, "start", "start must be a whole number, 0 or more");
    if (!json_is_integer(je) || json_integer_value(je) < 1)
        staffui_error_add(&fe, "end", "end must be a whole number, 1 or more");
    size_t n = json_array_size(jc);
    if (!json_is_array(jc) || n == 0 || n > STORE_CODING_MAX_CODES)
        staffui_error_add(&fe, "codes", "codes must be a list of 1 to %d code GUIDs",
                          STORE_CODING_MAX_CODES);
    const char *codes[STORE_CODING_MAX_CODES];
    for (size_t i = 0; fe.n == 0 && i < n; i++) {
        codes[i] = json_string_value(json_array_get(jc, i));
        if (codes[i] == NULL)
            staffui_error_add(&fe, "codes", "codes[%zu] must be a string", i);
    }
    if (fe.n) {
        json_decref(body);
        staffui_errors_json(rs, &fe);
        return;
    }
    char guid[40];
    duet_err e;
    int rc = store_coding_add(rq->st, rq->params[0], id, rq->who->person_key,
                              (size_t)json_integer_value(js), (size_t)json_integer_value(je),
                              codes, n, guid, &e);
    json_decref(body);
    if (rc != 0) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    web_json(rs, 201, json_pack("{s:s}", "selection", guid));
}

static void api_remove(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    if (rq->nparams < 1 || !codebook_valid_guid(rq->params[0])) {
        web_json_error(rs, 404, "there is no such selection");
        return;
    }
    if (store_coding_remove(rq->st, rq->params[0], rq->who->person_key, &e) != 0) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    web_json(rs, 200, json_pack("{s:s}", "removed", rq->params[0]));
}

static void api_get_blind(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    int blind = blind_mode(rq, &e);
    if (blind < 0) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    web_json(rs, 200, json_pack("{s:b}", "blind", blind));
}

static void api_set_blind(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    json_t *v = json_object_get(body, "blind");
    if (!json_is_boolean(v)) {
        json_decref(body);
        struct staffui_errors fe = {0};
        staffui_error_add(&fe, "blind", "blind must be true or false");
        staffui_errors_json(rs, &fe);
        return;
    }
    duet_err e;
    int rc = store_coding_set_blind(rq->st, json_is_true(v), &e);
    json_decref(body);
    if (rc != 0) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    api_get_blind(rq, rs);
}

const struct web_route web_routes_coding[] = {
    {"GET", "/coding", ACCESS_CODE, WEB_OBJ_NONE, get_documents},
    {"POST", "/coding/blind", ACCESS_CODE, WEB_OBJ_NONE, post_blind},
    {"GET", "/coding/{kind}/{id}", ACCESS_CODE, WEB_OBJ_NONE, get_document},
    {"POST", "/coding/{kind}/{id}", ACCESS_CODE, WEB_OBJ_NONE, post_document},
    {"POST", "/coding/{kind}/{id}/remove", ACCESS_CODE, WEB_OBJ_NONE, post_remove},
    {"POST", "/coding/{kind}/{id}/memo", ACCESS_CODE, WEB_OBJ_NONE, post_memo},
    {"GET", "/api/v1/coding/documents", ACCESS_CODE, WEB_OBJ_NONE, api_documents},
    {"GET", "/api/v1/coding/documents/{kind}/{id}", ACCESS_CODE, WEB_OBJ_NONE, api_document},
    {"POST", "/api/v1/coding/documents/{kind}/{id}/selections", ACCESS_CODE, WEB_OBJ_NONE,
     api_add},
    {"DELETE", "/api/v1/coding/selections/{guid}", ACCESS_CODE, WEB_OBJ_NONE, api_remove},
    {"GET", "/api/v1/coding/blind", ACCESS_CODE, WEB_OBJ_NONE, api_get_blind},
    {"POST", "/api/v1/coding/blind", ACCESS_CODE, WEB_OBJ_NONE, api_set_blind},
    {NULL, NULL, 0, 0, NULL},
};
