/*
 * scenario_source.c — load once, build many (DESIGN §2).
 *
 * A source is the scenario file parsed, with the models it extends merged beneath it and each
 * --set above it. A Scenario is built from a copy of that tree with a what-if patch (none for
 * the base) and walked against the schema (scenario.c). The clients of a CSV file are read the
 * first time a scenario needs them and kept: a later scenario naming the same file, read the
 * same way, against the same segments, takes a copy of those rows (their strings shared)
 * instead of reading the file again.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clients_csv.h"
#include "scenario_internal.h"
#include "provenance.h"
#include "yamltree.h"

/* Clients read from one CSV file, in a scenario shell that owns their strings (and the notes
 * the reader left), shared by every scenario built with them. */
struct ScenarioRows {
    Scenario *shell;         /* clients, client_count, notes, pool; segments as read against */
    size_t refs;
};

struct ScenarioSource {
    char *path;
    Tree *tree;
    Node *root;              /* the merged tree: file, extends beneath, --set above */
    const char *models_dir;
    unsigned reach;          /* GIVEN_* bits a --set gave every client (scenario_merge_reach) */
    struct ScenarioRows *rows;   /* NULL until a scenario has read them without error */
    Node *rows_config;       /* the clients_csv node they were read with (a copy in `tree`) */
    InputFiles inputs;       /* the scenario and the models it extends, as read (paths in tree) */
};

void scenario_rows_release(struct ScenarioRows *rows)
{
    if (!rows || --rows->refs > 0)
        return;
    scenario_free(rows->shell);
    free(rows);
}

/* ---- the source ---- */

BvStatus scenario_source_load(const char *path, const ScenarioSet *sets, size_t set_count,
                              const char *models_dir, ScenarioSource **out, BvErrors *errors)
{
    *out = NULL;
    size_t errors_before = errors->count + errors->dropped;
    ScenarioSource *src = calloc(1, sizeof *src);
    if (src) {
        src->path = strdup(path);
        src->tree = tree_new();
        src->models_dir = models_dir;
    }
    const char *tree_file = src && src->tree ? tree_intern_file(src->tree, path) : NULL;
    if (!src || !src->path || !tree_file) {
        scenario_source_free(src);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    Loader L = {{errors, NULL, NULL}, NULL, src->tree, errors, models_dir, NULL, NULL, 0,
                &src->inputs};
    Node *root = NULL;
    InputDigest digest;
    BvStatus status = yamltree_parse_file_digest(src->tree, path, &digest, &root, errors);
    if (status == BV_OK)
        input_files_add(&src->inputs, "scenario", tree_file, &digest);
    if (status == BV_OK && (!root || root->kind != NODE_MAP)) {
        Mark m = {path, root ? root->mark.line : 1, root ? root->mark.col : 1};
        bv_error(errors, BV_ERR_INPUT, &m, NULL,
                 "a scenario is a mapping of keys (name, currency, clients, ...)%s",
                 root ? "" : "; the file is empty");
        root = NULL;
    }
    if (root)
        root = scenario_merge_extends(&L, root, tree_file);
    if (root)
        root = scenario_merge_sets(&L, root, sets, set_count);
    if (!root || errors->count + errors->dropped != errors_before) {
        status = bv_errors_status(errors);
        scenario_source_free(src);
        return status == BV_OK ? BV_ERR_INPUT : status;
    }
    src->root = root;
    src->reach = L.reach;
    *out = src;
    return BV_OK;
}

void scenario_source_free(ScenarioSource *src)
{
    if (!src)
        return;
    scenario_rows_release(src->rows);
    tree_free(src->tree);
    free(src->path);
    free(src);
}

/* ---- the CSV rows ---- */

/* Same text, kinds and structure (marks aside). */
static bool same_tree(const Node *a, const Node *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->count != b->count)
        return false;
    if (a->kind == NODE_SCALAR)
        return a->quoted == b->quoted && strcmp(a->text, b->text) == 0;
    for (size_t i = 0; i < a->count; i++) {
        if (a->kind == NODE_SEQ && !same_tree(a->items[i], b->items[i]))
            return false;
        if (a->kind == NODE_MAP && (strcmp(a->entries[i].key, b->entries[i].key) != 0 ||
                                    !same_tree(a->entries[i].value, b->entries[i].value)))
            return false;
    }
    return true;
}

/* Rows read against `shell`'s segments give the same segment indices in `sc`. */
static bool same_segments(const Scenario *shell, const Scenario *sc)
{
    if (shell->segment_count != sc->segment_count)
        return false;
    for (size_t i = 0; i < sc->segment_count; i++)
        if (strcmp(shell->segments[i].name, sc->segments[i].name) != 0)
            return false;
    return true;
}

/* Read sc's CSV file into a new shell: its segments (names) and dialect copied from sc. */
static struct ScenarioRows *read_rows(const Scenario *sc, BvErrors *errors, bool *clean)
{
    size_t before = errors->count + errors->dropped;
    struct ScenarioRows *rows = calloc(1, sizeof *rows);
    Scenario *shell = rows ? scenario_begin(sc->clients_csv) : NULL;
    if (shell)
        shell->segments = calloc(sc->segment_count + 1, sizeof *shell->segments);
    if (!rows || !shell || !shell->segments) {
        free(rows);
        scenario_free(shell);
        bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        return NULL;
    }
    rows->shell = shell;
    rows->refs = 1;
    for (size_t i = 0; i < sc->segment_count; i++) {
        const char *name = sc->segments[i].name;
        shell->segments[i].name = scenario_intern(shell, name, strlen(name));
        if (!shell->segments[i].name) {
            scenario_rows_release(rows);
            bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            return NULL;
        }
        shell->segment_count = i + 1;
    }
    shell->clients_csv = shell->file;
    shell->clients_csv_dialect = sc->clients_csv_dialect; /* its strings: sc's, used here only */
    clients_csv_read(shell, shell->clients_csv, &sc->marks.clients_csv, errors);
    *clean = errors->count + errors->dropped == before;
    return rows;
}

/* Give sc a copy of the rows (sharing their strings) and the dialect as the file showed it. */
static void adopt_rows(Scenario *sc, struct ScenarioRows *rows, BvErrors *errors)
{
    const Scenario *shell = rows->shell;
    if (shell->client_count) {
        sc->clients = malloc(shell->client_count * sizeof *sc->clients);
        if (!sc->clients) {
            bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            return;
        }
        memcpy(sc->clients, shell->clients, shell->client_count * sizeof *sc->clients);
    }
    sc->client_count = shell->client_count;
    rows->refs++;
    sc->rows = rows;
    /* The file as read once (its path in the shell's pool, which sc now holds a share of). */
    for (size_t i = 0; i < shell->inputs.count && sc->inputs.count < INPUT_FILES_MAX; i++)
        sc->inputs.items[sc->inputs.count++] = shell->inputs.items[i];
    for (size_t i = 0; i < shell->note_count && sc->note_count < SCENARIO_NOTES_MAX; i++)
        sc->notes[sc->note_count++] = shell->notes[i];
    CsvDialect *d = &sc->clients_csv_dialect;
    const CsvDialect *read = &shell->clients_csv_dialect;
    d->delimiter = read->delimiter;
    d->delimiter_detected = read->delimiter_detected;
    d->encoding = read->encoding;
    d->encoding_from_bom = read->encoding_from_bom;
}

/* sc's CSV clients: the source's rows when they fit, else the file read (and kept when the
 * source has none yet and the read found no error). */
static void source_clients(ScenarioSource *src, Scenario *sc, const Node *config,
                           BvErrors *errors)
{
    if (src->rows && strcmp(src->rows->shell->clients_csv, sc->clients_csv) == 0 &&
        same_tree(src->rows_config, config) && same_segments(src->rows->shell, sc)) {
        adopt_rows(sc, src->rows, errors);
        return;
    }
    bool clean = false;
    struct ScenarioRows *rows = read_rows(sc, errors, &clean);
    if (!rows)
        return;
    adopt_rows(sc, rows, errors);
    Node *kept = clean && !src->rows ? tree_copy(src->tree, config) : NULL;
    if (kept) {
        src->rows = rows;          /* the source's reference */
        src->rows_config = kept;
    } else {
        scenario_rows_release(rows);
    }
}

/* ---- a scenario from the source ---- */

/* A top-level what-if reaches every client: own values of those keys give way to it. */
static void drop_own_values(Scenario *sc, unsigned reach)
{
    for (size_t i = 0; reach && i < sc->client_count; i++) {
        Client *c = &sc->clients[i];
        if (reach & GIVEN_MARGIN)
            c->margin = (double)NAN;
        if (reach & GIVEN_REVENUE_GROWTH)
            c->revenue_growth = (double)NAN;
        if (reach & GIVEN_RETENTION)
            c->retention = (double)NAN;
        if (reach & GIVEN_TRANSFER_RETENTION)
            c->transfer_retention = (double)NAN;
    }
}

BvStatus scenario_from_source(ScenarioSource *src, const ScenarioPatch *patch, Scenario **out,
                              BvErrors *errors)
{
    *out = NULL;
    size_t errors_before = errors->count + errors->dropped;
    Scenario *sc = scenario_begin(src->path);
    Tree *tree = tree_new();
    Node *root = tree ? tree_copy(tree, src->root) : NULL;
    if (!sc || !root) {
        tree_free(tree);
        scenario_free(sc);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    Loader L = {{errors, scenario_loader_intern, sc}, sc, tree, errors, src->models_dir,
                NULL, NULL, src->reach, &sc->inputs};
    /* The files the source read, their paths copied into the scenario's own pool. */
    for (size_t i = 0; i < src->inputs.count; i++) {
        InputFile f = src->inputs.items[i];
        f.path = scenario_intern(sc, f.path, strlen(f.path));
        if (!f.path) {
            tree_free(tree);
            scenario_free(sc);
            return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        sc->inputs.items[sc->inputs.count++] = f;
    }
    sc->inputs.dropped = src->inputs.dropped;
    if (patch && (patch->variant >= 0 || patch->override_count))
        root = scenario_merge_whatif(&L, root, patch);
    bool walked = root != NULL;
    if (root)
        scenario_read_tree(&L, root);
    /* Clients are checked even when the scenario has other errors: validate lists all. */
    if (walked && sc->clients_csv)
        source_clients(src, sc, tree_map_get(root, "clients_csv"), errors);
    tree_free(tree);
    root = NULL;
    drop_own_values(sc, L.reach);
    scenario_clients_check_ids(&L);
    if (walked)
        scenario_normalization_finish(&L);
    if (walked) {
        scenario_check_cohorts(&L);
        scenario_check_reach(&L);
    }
    if (walked && sc->client_count == 0 && errors->count + errors->dropped == errors_before)
        bv_error(errors, BV_ERR_INPUT,
                 sc->clients_csv ? &sc->marks.clients_csv : &sc->marks.clients,
                 sc->clients_csv ? "clients_csv" : "clients",
                 "the book has no clients%s",
                 sc->clients_csv ? ": the CSV file has a header but no rows" : "");
    if (errors->count + errors->dropped != errors_before) {
        BvStatus status = bv_errors_status(errors);
        scenario_free(sc);
        return status == BV_OK ? BV_ERR_INPUT : status;
    }
    *out = sc;
    return BV_OK;
}

BvStatus scenario_load(const char *path, const ScenarioSet *sets, size_t set_count,
                       const char *models_dir, Scenario **out, BvErrors *errors)
{
    *out = NULL;
    ScenarioSource *src = NULL;
    BvStatus status = scenario_source_load(path, sets, set_count, models_dir, &src, errors);
    if (status == BV_OK)
        status = scenario_from_source(src, NULL, out, errors);
    scenario_source_free(src);
    return status;
}
