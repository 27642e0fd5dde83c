/*
** cmd_account.c — `duet user add|list|disable|enable` and `duet token
** create|list|revoke`: sign-ins for the web application.
**
** A password is never taken from the command line (other users can read a
** process's arguments, and shells keep a history): it is read from standard
** input, one line, without echo when that is a terminal.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app/auth.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

/* Room for the longest password allowed, its line end and one byte more,
** to tell a long line from one that fits. */
#define PASSWORD_LINE (AUTH_PASSWORD_MAX + 3)

/* Reads one line into buf without its line end ("\n" or "\r\n"). */
static int read_line(char *buf, size_t n, FILE *in)
{
    if (fgets(buf, (int)n, in) == NULL) {
        buf[0] = '\0';
        return 0;
    }
    size_t len = strlen(buf);
    int whole = len > 0 && buf[len - 1] == '\n';
    if (whole)
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    /* A line that filled the buffer without an end is too long. */
    return whole || len < n - 2 ? 0 : -1;
}

/* Reads the password from standard input: prompted and without echo on a
** terminal, else the first line of what was piped in. */
static int read_password(const char *person, char *buf, size_t n)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password for %s: ", person);
        fflush(stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(buf, n, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc != 0)
        return cli_failf("the password is longer than %d bytes", AUTH_PASSWORD_MAX);
    if (buf[0] == '\0')
        return cli_failf("no password on standard input; give it as one line, e.g. "
                         "printf '%%s\\n' \"$PASSWORD\" | duet user add ... --password-stdin");
    return 0;
}

static int user_add(struct cli *c, int argc, char **argv)
{
    const char *person = NULL, *role = NULL;
    int from_stdin = 0, first;
    const struct cli_opt opts[] = {
        {"person", CLI_STR, &person, 0, 0, "KEY", "whose account", NULL},
        {"role", CLI_STR, &role, 0, 0, "ROLE", "its role", NULL},
        {"password-stdin", CLI_FLAG, &from_stdin, 0, 0, NULL,
         "read the password from standard input", NULL},
        {0}};
    int prc = cli_parse_opts("user add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc || person == NULL || role == NULL || !from_stdin)
        return cli_usage_error("user add", "give --person KEY, --role ROLE and --password-stdin "
                               "(passwords are never taken from the command line)");
    duet_err e;
    enum auth_role r;
    if (auth_role_parse(role, &r, &e) != 0)
        return cli_fail(&e);
    char password[PASSWORD_LINE];
    if (read_password(person, password, sizeof password) != 0)
        return CLI_EUSER;
    struct store *st = cli_store(c);
    int ok = st != NULL && auth_user_add(st, person, role, password, &e) == 0;
    explicit_bzero(password, sizeof password);
    if (st == NULL)
        return CLI_EUSER;
    if (!ok)
        return cli_fail(&e);
    printf("added a %s account for '%s'\n", role, person);
    return CLI_OK;
}

static int user_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"person", "display_name", "role", "created_at",
                                       "disabled_at"};
    static const struct cli_list l = {"user list", NULL, 0, auth_user_list, NULL, cols, 5};
    return cli_run_list(c, argc, argv, &l);
}

/* Parses `--person KEY` or a lone `PERSON` (the two are the same). */
static int person_arg(int argc, char **argv, const char *cmd, const char **person)
{
    *person = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"person", CLI_STR, person, 0, 0, "KEY", "whose account", NULL}, {0}};
    int prc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc == CLI_OK ? CLI_EUSAGE : prc; /* its --help is cli_dispatch's */
    if (*person == NULL && first == argc - 1)
        *person = argv[first++];
    if (first != argc || *person == NULL)
        return cli_usage_error(cmd, "give --person KEY");
    return CLI_OK;
}

/* user disable and user enable: the same steps, the other way round. */
static int user_set_enabled(struct cli *c, int argc, char **argv, int enable)
{
    const char *person;
    int rc = person_arg(argc, argv, enable ? "user enable" : "user disable", &person);
    if (rc != CLI_OK)
        return rc;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if ((enable ? auth_user_enable(st, person, &e) : auth_user_disable(st, person, &e)) != 0)
        return cli_fail(&e);
    if (enable)
        printf("enabled the account of '%s': they can sign in again (their old API tokens "
               "stay revoked)\n", person);
    else
        printf("disabled the account of '%s': its sessions are ended and its API tokens "
               "revoked\n", person);
    return CLI_OK;
}

static int user_disable(struct cli *c, int argc, char **argv)
{
    return user_set_enabled(c, argc, argv, 0);
}

static int user_enable(struct cli *c, int argc, char **argv)
{
    return user_set_enabled(c, argc, argv, 1);
}

int cmd_user(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", user_add,
         "add --person KEY --role ROLE --password-stdin\n"
         "  Gives a person an account for the web application. ROLE is participant,\n"
         "  facilitator, researcher or admin. The password is read from standard input\n"
         "  (one line; without echo on a terminal): at least 8 characters, not one of\n"
         "  the most common passwords, not one character or a short sequence repeated,\n"
         "  and without 'duet', the person key or a word (4+ characters) of the\n"
         "  person's name, in any case. Example:\n"
         "    printf '%s\\n' \"$PASSWORD\" | duet user add --person amira.k --role participant --password-stdin\n"},
        {"list", user_list, "list [--json]\n  Lists accounts: person, role, when created and disabled.\n"},
        {"disable", user_disable,
         "disable --person KEY   (or: disable KEY)\n"
         "  Disables a person's account: signing in fails, their sessions end at once\n"
         "  and their API tokens are revoked. Accounts are never deleted.\n"},
        {"enable", user_enable,
         "enable --person KEY   (or: enable KEY)\n"
         "  Enables a disabled account again: the person can sign in. The API tokens\n"
         "  revoked when it was disabled stay revoked (make new ones). Refuses an\n"
         "  account that is not disabled. Audited.\n"},
    };
    return cli_dispatch(c, "user", "Accounts for the web application: one role per person.",
                        subs, 4, argc, argv);
}

#define STR_(x) #x
#define STR(x) STR_(x)

static int token_create(struct cli *c, int argc, char **argv)
{
    const char *person = NULL, *label = NULL;
    int json = 0, first;
    long long days = AUTH_TOKEN_DAYS_DEFAULT;
    const struct cli_opt opts[] = {
        {"person", CLI_STR, &person, 0, 0, "KEY", "whose token", NULL},
        {"label", CLI_STR, &label, 0, 0, "TEXT", "what it is for", NULL},
        {"expires", CLI_LONG, &days, 1, AUTH_TOKEN_DAYS_MAX, "DAYS", "its life in days",
         "--expires '%s' is not a number of days from 1 to " STR(AUTH_TOKEN_DAYS_MAX)},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("token create", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc || person == NULL)
        return cli_usage_error("token create", "give --person KEY");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct auth_token_made t;
    if (auth_token_create(st, person, label, (int)days, &t, &e) != 0)
        return cli_fail(&e);
    /* The token alone on standard output, so TOKEN=$(duet token create ...)
    ** works; the warning goes to standard error. */
    int rc = json ? cli_print_json(stdout, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                                                     (json_int_t)t.id, "person", person,
                                                     "label", label ? label : "",
                                                     "created_at", t.created_at,
                                                     "expires_at", t.expires_at,
                                                     "token", t.token))
                  : (printf("%s\n", t.token), CLI_OK);
    explicit_bzero(&t.token, sizeof t.token);
    fprintf(stderr, "duet: this API token for '%s' (id %lld) expires at %s; it is shown once "
            "and cannot be shown again; keep it secret (send it as 'Authorization: Bearer "
            "TOKEN')\n", person, (long long)t.id, t.expires_at);
    return rc;
}

static int token_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"id", "person", "label", "status", "created_at",
                                       "expires_at", "last_used_at", "revoked_at"};
    const char *person = NULL;
    int json = 0;
    const struct cli_opt opts[] = {{"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
                                   {0}};
    int first, prc = cli_parse_opts("token list", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first < argc)
        person = argv[first++];
    if (first != argc)
        return cli_usage_error("token list", "unexpected argument '%s'", argv[first]);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    return cli_emit_list(auth_token_list(st, person, &e), json, cols, 8, &e);
}

static int token_revoke(struct cli *c, int argc, char **argv)
{
    const char *arg;
    int json;
    if (cli_json_args(argc, argv, "token revoke", &json, 1, &arg) != 0)
        return CLI_EUSAGE;
    long long id;
    if (cli_parse_long(arg, 1, INT64_MAX, &id) != 0)
        return cli_usage_error("token revoke", "'%s' is not a token id (see 'duet token list')",
                               arg);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    char person[72];
    if (auth_token_revoke(st, id, person, &e) != 0)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id,
                                                "person", person, "revoked", 1));
    printf("revoked API token %lld of '%s'\n", id, person);
    return CLI_OK;
}

int cmd_token(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"create", token_create,
         "create --person KEY [--label TEXT] [--expires DAYS] [--json]\n"
         "  Creates a personal API token for the person's account and prints it once:\n"
         "  duet keeps only its SHA-256 digest, so it cannot be shown again. It acts\n"
         "  with the account's role until it expires (after DAYS days, 1 to 366;\n"
         "  default 90), is revoked, or the account is disabled.\n"},
        {"list", token_list,
         "list [PERSON] [--json]\n"
         "  Lists API tokens (of one person's account, or of all): id, person, label,\n"
         "  status (active, expired or revoked), when created, when it expires, when\n"
         "  last used and when revoked. Never the token or its digest.\n"},
        {"revoke", token_revoke,
         "revoke ID [--json]\n"
         "  Revokes one API token (its id from 'duet token list'): it stops working at\n"
         "  once. Audited.\n"},
    };
    return cli_dispatch(c, "token", "Personal API tokens for the JSON API.", subs, 3, argc, argv);
}
