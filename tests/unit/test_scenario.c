/*
 * test_scenario.c — loading a scenario (src/scenario.c): extends, --set, precedence and the
 * error list that `validate` prints.
 *
 * Files are written under TEST_BUILD_DIR/scenario_unit/ (models in its models/ directory,
 * where `extends: NAME` finds them). Expected values are the literals written in those files;
 * expected positions are counted by hand (1-based) on the literal text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "unit_support.h"

#include "book.h"
#include "scenario.h"

#define DIR_NAME "scenario_unit"

static char dir[512], models[512];

static int setup(void **state)
{
    (void)state;
    unit_build_path(dir, sizeof dir, DIR_NAME);
    snprintf(models, sizeof models, "%s/models", dir);
    mkdir(dir, 0755);
    mkdir(models, 0755);
    struct stat st;
    return stat(models, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Write `text` to DIR/name (or DIR/models/name when model). */
static void write_file(const char *name, bool model, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", model ? models : dir, name);
    unit_write_text(path, text);
}

static const char *const MODEL =
    "# A model for test_scenario.c\n"                        /* 1 */
    "horizon_years: 7\n"                                      /* 2 */
    "timing: mid_year\n"                                      /* 3 */
    "discount_rate: 0.1175\n"                                 /* 4 */
    "revenue_growth: 0.0215\n"                                /* 5 */
    "margin: 0.3875\n"                                        /* 6 */
    "retention: 0.9125\n"                                     /* 7 */
    "transfer_retention: 0.9437\n"                            /* 8 */
    "segments:\n"                                             /* 9 */
    "  A: {margin: 0.4625, retention: 0.8875}\n"              /* 10 */
    "  B: {revenue_growth: 0.0335}\n"                         /* 11 */
    "market: {multiple_low: 0.85, multiple_high: 1.45}\n";    /* 12 */

static const char *const SCENARIO =
    "name: \"Extends and --set\"\n"                                         /* 1 */
    "currency: EUR\n"                                                       /* 2 */
    "extends: unit-scenario-model\n"                                        /* 3 */
    "margin: 0.4125\n"                                                      /* 4 */
    "segments:\n"                                                           /* 5 */
    "  A: {retention: 0.8615}\n"                                            /* 6 */
    "clients:\n"                                                            /* 7 */
    "  - {id: C1, annual_revenue: 2385.17, segment: A, margin: 0.5275}\n"   /* 8 */
    "  - {id: C2, annual_revenue: 1190.55, segment: A}\n"                   /* 9 */
    "  - {id: C3, annual_revenue: 731.4, segment: B}\n"                     /* 10 */
    "  - {id: C4, annual_revenue: 412.9}\n";                                /* 11 */

typedef struct Loaded {
    Scenario *sc;
    BvErrors errors;
    BvStatus status;
} Loaded;

static void loaded_destroy(void *v)
{
    Loaded *l = v;
    scenario_free(l->sc);
    free(l);
}

static void book_destroy(void *b)
{
    book_free(b);
}

static Loaded *load(const char *path, const char *const *sets, size_t count)
{
    Loaded *l = calloc(1, sizeof *l);
    assert_non_null(l);
    unit_own(l, loaded_destroy);
    ScenarioSet s[16];
    assert_true(count <= 16);
    for (size_t i = 0; i < count; i++)
        s[i].assignment = sets[i];
    bv_errors_init(&l->errors);
    l->status = scenario_load(path, s, count, NULL, &l->sc, &l->errors);
    return l;
}

static void expect_loaded(const Loaded *l)
{
    if (l->status != BV_OK || !l->sc) {
        unit_dump_errors(&l->errors);
        fail_msg("scenario_load failed with status %d", (int)l->status);
    }
    assert_int_equal(l->errors.count, 0);
}

static void loaded_free(Loaded *l)
{
    unit_free(l);
}

static double fixed_value(const Dist *d)
{
    assert_int_equal(d->kind, DIST_FIXED);
    return d->value;
}

static const Segment *segment(const Scenario *sc, const char *name)
{
    int i = scenario_segment_index(sc, name);
    if (i < 0)
        fail_msg("no segment '%s'", name);
    return &sc->segments[i];
}

static const Cohort *cohort_of(const Book *b, const char *id)
{
    const Scenario *sc = b->scenario;
    for (size_t i = 0; i < sc->client_count; i++)
        if (strcmp(sc->clients[i].id, id) == 0)
            return &b->cohorts[b->client_cohort[i]];
    fail_msg("no client '%s'", id);
    return NULL;
}

/* ---- extends and precedence ---- */

static void test_extends_deep_merge_and_precedence(void **state)
{
    (void)state;
    char model_path[600], path[600];
    write_file("unit-scenario-model.yaml", true, MODEL, model_path, sizeof model_path);
    write_file("extends.yaml", false, SCENARIO, path, sizeof path);
    Loaded *l = load(path, NULL, 0);
    expect_loaded(l);
    const Scenario *sc = l->sc;
    assert_string_equal(sc->name, "Extends and --set");
    assert_string_equal(sc->currency, "EUR");
    assert_string_equal(sc->file, path);
    /* From the model. */
    assert_int_equal(sc->horizon_years, 7);
    assert_int_equal(sc->timing, TIMING_MID_YEAR);
    assert_int_equal(sc->tail, TAIL_NONE); /* schema default: neither file sets it */
    assert_true(fixed_value(&sc->discount_rate) == 0.1175);
    assert_true(fixed_value(&sc->defaults.revenue_growth) == 0.0215);
    assert_int_equal(sc->defaults.retention.kind, RETENTION_CONSTANT);
    assert_true(fixed_value(&sc->defaults.retention.constant) == 0.9125);
    assert_true(fixed_value(&sc->defaults.transfer_retention) == 0.9437);
    assert_true(sc->has_market);
    assert_true(sc->multiple_low == 0.85);
    assert_true(sc->multiple_high == 1.45);
    /* The scenario's own value wins over the model's. */
    assert_true(fixed_value(&sc->defaults.margin) == 0.4125);
    /* The scenario's discount_rate mark points into the model file (line 4, col 16). */
    assert_int_equal(sc->marks.discount_rate.line, 4);
    assert_int_equal(sc->marks.discount_rate.col, 16);
    assert_non_null(strstr(sc->marks.discount_rate.file, "/models/unit-scenario-model.yaml"));

    /* Segments deep-merged: A keeps the model's margin and takes the scenario's retention;
     * values a segment does not give come from the scenario level. */
    assert_int_equal(sc->segment_count, 2);
    assert_string_equal(sc->segments[0].name, "A");
    assert_string_equal(sc->segments[1].name, "B");
    const Assumptions *a = &segment(sc, "A")->assumptions;
    assert_true(fixed_value(&a->margin) == 0.4625);
    assert_true(fixed_value(&a->retention.constant) == 0.8615);
    assert_true(fixed_value(&a->revenue_growth) == 0.0215);
    assert_true(fixed_value(&a->transfer_retention) == 0.9437);
    assert_int_equal(a->given, GIVEN_MARGIN | GIVEN_RETENTION);
    const Assumptions *b = &segment(sc, "B")->assumptions;
    assert_true(fixed_value(&b->margin) == 0.4125);
    assert_true(fixed_value(&b->revenue_growth) == 0.0335);
    assert_true(fixed_value(&b->retention.constant) == 0.9125);
    assert_int_equal(b->given, GIVEN_REVENUE_GROWTH);

    /* Clients, in file order, with their own values. */
    assert_int_equal(sc->client_count, 4);
    assert_string_equal(sc->clients[0].id, "C1");
    assert_true(sc->clients[0].annual_revenue == 2385.17);
    assert_true(sc->clients[0].margin == 0.5275);
    assert_true(isnan(sc->clients[1].margin));
    assert_int_equal(sc->clients[3].segment, -1);
    assert_int_equal(sc->clients[0].mark.line, 8);
    assert_string_equal(sc->clients[0].mark.file, path);
    /* 2385.17 + 1190.55 + 731.4 + 412.9 = 4720.02 */
    assert_rel(scenario_annual_revenue(sc), 4720.02, 1e-15);

    /* Precedence client > segment > scenario, as the book resolves it. */
    BvErrors errors;
    bv_errors_init(&errors);
    Book *book = NULL;
    assert_int_equal(book_new(sc, &book, &errors), BV_OK);
    unit_own(book, book_destroy);
    const Cohort *c1 = cohort_of(book, "C1"), *c2 = cohort_of(book, "C2");
    const Cohort *c3 = cohort_of(book, "C3"), *c4 = cohort_of(book, "C4");
    assert_true(dist_mean(&c1->margin) == 0.5275);                  /* client's own */
    assert_true(c1->own & OWN_MARGIN);
    assert_true(dist_mean(&c1->retention.constant) == 0.8615);      /* segment A's */
    assert_true(dist_mean(&c2->margin) == 0.4625);                  /* segment A's */
    assert_false(c2->own & OWN_MARGIN);
    assert_true(dist_mean(&c3->margin) == 0.4125);                  /* scenario's */
    assert_true(dist_mean(&c3->revenue_growth) == 0.0335);          /* segment B's */
    assert_true(dist_mean(&c4->margin) == 0.4125);                  /* scenario's */
    assert_true(dist_mean(&c4->retention.constant) == 0.9125);      /* model's, via scenario */
    assert_int_equal(c4->segment, -1);
    unit_free(book);
    loaded_free(l);
}

/* A model may itself extend a model (found beside it); and a cycle is refused. */
static void test_extends_chain_and_cycle(void **state)
{
    (void)state;
    char p[600];
    write_file("unit-scenario-base.yaml", true,
               "horizon_years: 9\ndiscount_rate: 0.1325\nmargin: 0.3575\nretention: 0.8815\n", p,
               sizeof p);
    write_file("unit-scenario-mid.yaml", true,
               "extends: unit-scenario-base\nmargin: 0.3675\n", p, sizeof p);
    write_file("chain.yaml", false,
               "name: Chain\ncurrency: BRL\nextends: unit-scenario-mid\n"
               "clients: [{id: C1, annual_revenue: 2385.17}]\n",
               p, sizeof p);
    Loaded *l = load(p, NULL, 0);
    expect_loaded(l);
    assert_int_equal(l->sc->horizon_years, 9);
    assert_true(fixed_value(&l->sc->discount_rate) == 0.1325);
    assert_true(fixed_value(&l->sc->defaults.margin) == 0.3675);
    assert_true(fixed_value(&l->sc->defaults.retention.constant) == 0.8815);
    loaded_free(l);

    write_file("unit-scenario-cycle-a.yaml", true, "extends: unit-scenario-cycle-b\n", p,
               sizeof p);
    write_file("unit-scenario-cycle-b.yaml", true, "extends: unit-scenario-cycle-a\n", p,
               sizeof p);
    write_file("cycle.yaml", false,
               "name: Cycle\ncurrency: EUR\nextends: unit-scenario-cycle-a\n"
               "discount_rate: 0.1\nmargin: 0.3\nretention: 0.9\n"
               "clients: [{id: C1, annual_revenue: 1}]\n",
               p, sizeof p);
    l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    const BvError *e = unit_expect_error(&l->errors, "more than 8 levels deep (a cycle?)");
    assert_string_equal(e->key, "extends");
    assert_contains(e->file, "unit-scenario-cycle-");
    assert_int_equal(e->line, 1);
    assert_int_equal(e->col, 10);
    loaded_free(l);

    /* A model that does not exist: the error is at the extends: value (line 3, col 10). */
    write_file("missing_model.yaml", false,
               "name: Missing\ncurrency: EUR\nextends: unit-no-such-model\n"
               "discount_rate: 0.1\nmargin: 0.3\nretention: 0.9\n"
               "clients: [{id: C1, annual_revenue: 1}]\n",
               p, sizeof p);
    l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_int_equal(l->errors.count, 1);
    e = unit_expect_error(&l->errors, "no model 'unit-no-such-model'");
    assert_contains(e->message, "looked for unit-no-such-model.yaml beside");
    assert_string_equal(e->key, "extends");
    assert_string_equal(e->file, p);
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 10);
    loaded_free(l);
}

/* ---- --set ---- */

static void test_set_overrides(void **state)
{
    (void)state;
    char p[600];
    write_file("unit-scenario-model.yaml", true, MODEL, p, sizeof p);
    write_file("extends.yaml", false, SCENARIO, p, sizeof p);
    static const char *const sets[] = {
        "segments.A.retention=0.8275",   /* over the scenario's 0.8615 */
        "segments.X.margin=0.2935",      /* a segment nobody wrote */
        "discount_rate=0.1325",
        "discount_rate=0.1415",          /* later --set wins */
        "horizon_years=12",
        "tail=runoff",
        "revenue_growth={dist: pert, min: 0.0115, mode: 0.0215, max: 0.0415}",
    };
    Loaded *l = load(p, sets, sizeof sets / sizeof sets[0]);
    expect_loaded(l);
    const Scenario *sc = l->sc;
    assert_true(fixed_value(&sc->discount_rate) == 0.1415);
    assert_int_equal(sc->horizon_years, 12);
    assert_int_equal(sc->tail, TAIL_RUNOFF);
    /* The --set mark: file "--set", line = the 6th --set, col of the value (6: "tail="). */
    assert_string_equal(sc->marks.tail.file, "--set");
    assert_int_equal(sc->marks.tail.line, 6);
    assert_int_equal(sc->marks.tail.col, 6);
    assert_int_equal(sc->marks.discount_rate.line, 4);
    assert_int_equal(sc->marks.discount_rate.col, 15);
    /* PERT mean (0.0115 + 4 x 0.0215 + 0.0415) / 6 = 0.139 / 6. */
    assert_int_equal(sc->defaults.revenue_growth.kind, DIST_PERT);
    assert_rel(dist_mean(&sc->defaults.revenue_growth), 0.139 / 6, 1e-15);

    const Assumptions *a = &segment(sc, "A")->assumptions;
    assert_true(fixed_value(&a->retention.constant) == 0.8275);
    assert_true(fixed_value(&a->margin) == 0.4625); /* untouched */
    /* segments.X.margin created segment X, which takes everything else from the scenario. */
    assert_int_equal(sc->segment_count, 3);
    const Segment *x = segment(sc, "X");
    assert_true(fixed_value(&x->assumptions.margin) == 0.2935);
    assert_int_equal(x->assumptions.given, GIVEN_MARGIN);
    assert_true(fixed_value(&x->assumptions.retention.constant) == 0.9125);
    assert_int_equal(x->assumptions.revenue_growth.kind, DIST_PERT);
    assert_string_equal(x->mark.file, "--set");
    assert_int_equal(x->mark.line, 2);
    loaded_free(l);

    /* A value mapping given with --set replaces the retention whole, and a top-level --set
     * reaches every client (DESIGN §2): sBG for the scenario and both segments, A's own
     * constant included. */
    static const char *const sbg[] = {"retention={sbg: {alpha: 0.7, beta: 3.8}}"};
    l = load(p, sbg, 1);
    expect_loaded(l);
    assert_int_equal(l->sc->defaults.retention.kind, RETENTION_SBG);
    assert_true(l->sc->defaults.retention.alpha == 0.7);
    assert_true(l->sc->defaults.retention.beta == 3.8);
    assert_int_equal(segment(l->sc, "B")->assumptions.retention.kind, RETENTION_SBG);
    assert_int_equal(segment(l->sc, "A")->assumptions.retention.kind, RETENTION_SBG);
    assert_int_equal(segment(l->sc, "A")->assumptions.given & GIVEN_RETENTION, 0);
    loaded_free(l);
}

/* ---- where errors point ---- */

static void test_error_in_model_points_at_model(void **state)
{
    (void)state;
    char p[600];
    write_file("unit-scenario-bad.yaml", true,
               "horizon_years: 7\n"
               "discount_rate: 0.1175\n"
               "margin: 1.35\n"          /* line 3: out of [-1, 1], value at col 9 */
               "retention: 0.9125\n",
               p, sizeof p);
    write_file("bad_model.yaml", false,
               "name: Bad model\ncurrency: USD\nextends: unit-scenario-bad\n"
               "clients: [{id: C1, annual_revenue: 2385.17}]\n",
               p, sizeof p);
    Loaded *l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    assert_int_equal(l->errors.count, 1);
    const BvError *e = &l->errors.items[0];
    assert_string_equal(e->message, "1.35 is out of range; accepted: [-1, 1]");
    assert_string_equal(e->key, "margin");
    assert_error_at(e, "/" DIR_NAME "/models/unit-scenario-bad.yaml", 3, 9);
    loaded_free(l);

    /* The same model, overridden by the scenario: no error. */
    write_file("bad_model_fixed.yaml", false,
               "name: Fixed\ncurrency: USD\nextends: unit-scenario-bad\nmargin: 0.4125\n"
               "clients: [{id: C1, annual_revenue: 2385.17}]\n",
               p, sizeof p);
    l = load(p, NULL, 0);
    expect_loaded(l);
    assert_true(fixed_value(&l->sc->defaults.margin) == 0.4125);
    loaded_free(l);
}

static void test_error_in_set_points_at_set(void **state)
{
    (void)state;
    char p[600];
    write_file("unit-scenario-model.yaml", true, MODEL, p, sizeof p);
    write_file("extends.yaml", false, SCENARIO, p, sizeof p);

    /* 2nd --set, "discount_rate=" is 14 characters: the value is at col 15. */
    static const char *const bad_rate[] = {"segments.A.margin=0.4", "discount_rate=-1.25"};
    Loaded *l = load(p, bad_rate, 2);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    assert_int_equal(l->errors.count, 1);
    const BvError *e = &l->errors.items[0];
    assert_string_equal(e->message, "-1.25 is out of range; accepted: (-1, inf)");
    assert_string_equal(e->key, "discount_rate");
    assert_string_equal(e->file, "--set");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->col, 15);
    loaded_free(l);

    /* A quoted number: text, not a number. 1st --set, value at col 8 ("margin="). */
    static const char *const quoted[] = {"margin=\"0.4125\""};
    l = load(p, quoted, 1);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_int_equal(l->errors.count, 1);
    e = &l->errors.items[0];
    assert_string_equal(e->message, "expected a number in [-1, 1], got the text \"0.4125\" "
                                    "(write numbers without quotes)");
    assert_string_equal(e->file, "--set");
    assert_int_equal(e->line, 1);
    assert_int_equal(e->col, 8);
    loaded_free(l);

    /* A nested key, 3rd --set: "segments.B.revenue_growth=" is 26 characters. */
    static const char *const nested[] = {"horizon_years=8", "tail=none",
                                         "segments.B.revenue_growth=-1.0375"};
    l = load(p, nested, 3);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_int_equal(l->errors.count, 1);
    e = &l->errors.items[0];
    assert_string_equal(e->key, "segments.B.revenue_growth");
    assert_string_equal(e->message, "-1.0375 is out of range; accepted: (-1, inf)");
    assert_string_equal(e->file, "--set");
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 27);
    loaded_free(l);

    /* YAML syntax in a --set value: "retention={sbg: {alpha: 0.7" ends inside a mapping. */
    static const char *const syntax[] = {"retention={sbg: {alpha: 0.7"};
    l = load(p, syntax, 1);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_int_equal(l->errors.count, 1);
    assert_contains(l->errors.items[0].message, "YAML syntax");
    assert_string_equal(l->errors.items[0].file, "--set");
    assert_int_equal(l->errors.items[0].line, 1);
    loaded_free(l);

    /* Malformed --set arguments are usage errors. */
    static const char *const no_eq[] = {"discount_rate"};
    l = load(p, no_eq, 1);
    assert_int_equal(l->status, BV_ERR_USAGE);
    assert_null(l->sc);
    assert_int_equal(l->errors.count, 1);
    assert_string_equal(l->errors.items[0].message,
                        "expected --set PATH=VALUE (e.g. segments.A.retention=0.97), got "
                        "'discount_rate'");
    assert_string_equal(l->errors.items[0].file, "--set");
    assert_int_equal(l->errors.items[0].line, 1);
    loaded_free(l);
    static const char *const no_path[] = {"tail=none", "=0.5"};
    l = load(p, no_path, 2);
    assert_int_equal(l->status, BV_ERR_USAGE);
    assert_int_equal(l->errors.count, 1);
    assert_contains(l->errors.items[0].message, "got '=0.5'");
    assert_int_equal(l->errors.items[0].line, 2);
    loaded_free(l);
    static const char *const empty_component[] = {"segments..margin=0.4"};
    l = load(p, empty_component, 1);
    assert_int_equal(l->status, BV_ERR_USAGE);
    assert_int_equal(l->errors.count, 1);
    assert_contains(l->errors.items[0].message, "empty component in the key path");
    assert_string_equal(l->errors.items[0].key, "segments..margin");
    loaded_free(l);
}

/* ---- validate: every error in one pass ---- */

static void test_validate_collects_every_error(void **state)
{
    (void)state;
    char p[600];
    write_file("many_errors.yaml", false,
               "name: \"Many errors\"\n"                          /* 1 */
               "currency: eur\n"                                  /* 2: not ISO 4217 */
               "horizon_years: 7.5\n"                             /* 3: not an integer */
               "discount_rate: 0.1175\n"                          /* 4 */
               "margin: 1.35\n"                                   /* 5: out of range */
               "retention: 0.9125\n"                              /* 6 */
               "colour: blue\n"                                   /* 7: unknown key */
               "clients:\n"                                       /* 8 */
               "  - {id: C1, annual_revenue: -2385.17}\n"         /* 9: out of range */
               "  - {id: C2}\n",                                  /* 10: no annual_revenue */
               p, sizeof p);
    Loaded *l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    if (l->errors.count != 6) {
        unit_dump_errors(&l->errors);
        fail_msg("%zu errors, expected 6", l->errors.count);
    }
    const BvError *e;
    e = unit_expect_error(&l->errors, "expected an ISO 4217 code");
    assert_contains(e->message, "got 'eur'");
    assert_error_at(e, "many_errors.yaml", 2, 11);
    e = unit_expect_error(&l->errors, "expected an integer in [1, 100], got 7.5");
    assert_string_equal(e->key, "horizon_years");
    assert_error_at(e, "many_errors.yaml", 3, 16);
    e = unit_expect_error(&l->errors, "1.35 is out of range; accepted: [-1, 1]");
    assert_error_at(e, "many_errors.yaml", 5, 9);
    e = unit_expect_error(&l->errors, "unknown key in scenario; accepted keys: name, currency");
    assert_string_equal(e->key, "colour");
    assert_error_at(e, "many_errors.yaml", 7, 1);
    e = unit_expect_error(&l->errors, "-2385.17 is out of range; accepted: [0, inf)");
    assert_string_equal(e->key, "clients[0].annual_revenue");
    assert_error_at(e, "many_errors.yaml", 9, 30);
    e = unit_expect_error(&l->errors, "client needs 'annual_revenue'");
    assert_string_equal(e->key, "clients[1]");
    assert_error_at(e, "many_errors.yaml", 10, 5);
    loaded_free(l);

    /* Errors in the scenario and in its CSV are reported together. */
    char csv[600];
    write_file("many_errors.csv", false, "id,annual_revenue\nC1,12o5\nC1,3\n", csv, sizeof csv);
    write_file("many_errors_csv.yaml", false,
               "name: x\ncurrency: EUR\ndiscount_rate: -1.5\nmargin: 0.4\nretention: 0.9\n"
               "clients_csv: many_errors.csv\n",
               p, sizeof p);
    l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    if (l->errors.count != 3) {
        unit_dump_errors(&l->errors);
        fail_msg("%zu errors, expected 3", l->errors.count);
    }
    e = unit_expect_error(&l->errors, "-1.5 is out of range; accepted: (-1, inf)");
    assert_error_at(e, "many_errors_csv.yaml", 3, 16);
    e = unit_expect_error(&l->errors, "expected a number in [0, inf), got '12o5'");
    assert_error_at(e, "many_errors.csv", 2, 4);
    e = unit_expect_error(&l->errors, "duplicate client id 'C1'");
    assert_error_at(e, "many_errors.csv", 3, 1);
    loaded_free(l);
}

/* ---- small contracts ---- */

static void test_misc(void **state)
{
    (void)state;
    char p[600];
    /* An empty file and a non-mapping are refused. */
    write_file("empty.yaml", false, "", p, sizeof p);
    Loaded *l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_int_equal(l->errors.count, 1);
    assert_string_equal(l->errors.items[0].message,
                        "a scenario is a mapping of keys (name, currency, clients, ...); the "
                        "file is empty");
    loaded_free(l);
    write_file("list.yaml", false, "- 1\n- 2\n", p, sizeof p);
    l = load(p, NULL, 0);
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_string_equal(l->errors.items[0].message,
                        "a scenario is a mapping of keys (name, currency, clients, ...)");
    loaded_free(l);

    scenario_free(NULL);
    Client c;
    scenario_client_init(&c);
    assert_int_equal(c.segment, -1);
    assert_string_equal(c.name, "");
    assert_true(c.active);
    assert_true(isnan(c.margin) && isnan(c.retention) && isnan(c.revenue_growth) &&
                isnan(c.transfer_retention));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        owned_unit_test(test_extends_deep_merge_and_precedence),
        owned_unit_test(test_extends_chain_and_cycle),
        owned_unit_test(test_set_overrides),
        owned_unit_test(test_error_in_model_points_at_model),
        owned_unit_test(test_error_in_set_points_at_set),
        owned_unit_test(test_validate_collects_every_error),
        owned_unit_test(test_misc),
    };
    return cmocka_run_group_tests_name("scenario", tests, setup, NULL);
}
