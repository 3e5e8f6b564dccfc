/*
 * xlsx_verify.c — every part of a written workbook complete.
 */
#include "xlsx_verify.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unzip.h>

#define HEAD_MAX 512   /* enough for the XML declaration and the root element's name */
#define TAIL_MAX 128
#define NAME_MAX_LEN 256

/* The root element's name in the head of an XML part, or false when there is none. */
static bool root_name(const char *head, size_t len, char *name, size_t size)
{
    size_t i = 0;
    for (;;) {
        while (i < len && head[i] != '<')
            i++;
        if (i + 1 >= len)
            return false;
        if (head[i + 1] != '?' && head[i + 1] != '!')
            break;
        i++; /* the declaration or a comment: the root comes later */
    }
    size_t start = ++i, n = 0;
    while (i < len && !isspace((unsigned char)head[i]) && head[i] != '>' && head[i] != '/')
        i++;
    n = i - start;
    if (n == 0 || n + 1 > size)
        return false;
    memcpy(name, head + start, n);
    name[n] = '\0';
    return true;
}

/* Whether the last bytes of a part close `root` (</root> or a self-closed <root .../>). */
static bool closes(const char *tail, size_t len, const char *root)
{
    while (len > 0 && isspace((unsigned char)tail[len - 1]))
        len--;
    char closing[NAME_MAX_LEN + 4];
    int n = snprintf(closing, sizeof closing, "</%s>", root);
    if ((size_t)n <= len && memcmp(tail + len - (size_t)n, closing, (size_t)n) == 0)
        return true;
    return len >= 2 && memcmp(tail + len - 2, "/>", 2) == 0;
}

static bool is_xml_part(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".xml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".rels") == 0);
}

/* Read the current part whole (the unzip checks its CRC at the end); check XML parts end.
 * NULL when the part is whole, OUT_OF_MEMORY when zlib could not start. */
static const char OUT_OF_MEMORY[] = "";

static const char *check_part(unzFile zip, const char *name)
{
    int opened = unzOpenCurrentFile(zip);
    if (opened == Z_MEM_ERROR)
        return OUT_OF_MEMORY;
    if (opened != UNZ_OK)
        return "cannot be opened";
    char head[HEAD_MAX], tail[TAIL_MAX], buf[65536];
    size_t head_len = 0, tail_len = 0;
    int got;
    while ((got = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) {
        size_t n = (size_t)got;
        if (head_len < HEAD_MAX) {
            size_t take = n < HEAD_MAX - head_len ? n : HEAD_MAX - head_len;
            memcpy(head + head_len, buf, take);
            head_len += take;
        }
        if (n >= TAIL_MAX) {
            memcpy(tail, buf + n - TAIL_MAX, TAIL_MAX);
            tail_len = TAIL_MAX;
        } else {
            size_t keep = tail_len + n > TAIL_MAX ? TAIL_MAX - n : tail_len;
            memmove(tail, tail + tail_len - keep, keep);
            memcpy(tail + keep, buf, n);
            tail_len = keep + n;
        }
    }
    int closed = unzCloseCurrentFile(zip);
    if (got < 0 || closed != UNZ_OK)
        return "is damaged (its checksum does not match)";
    if (!is_xml_part(name))
        return NULL;
    char root[NAME_MAX_LEN];
    if (!root_name(head, head_len, root, sizeof root) || !closes(tail, tail_len, root))
        return "is cut short";
    return NULL;
}

BvStatus xlsx_verify(const char *path, BvErrors *errors)
{
    Mark where = {path, 0, 0};
    unzFile zip = unzOpen64(path);
    if (!zip)
        return bv_error(errors, BV_ERR_IO, &where, NULL,
                        "the workbook written cannot be read back as a zip file");
    const char *problem = NULL;
    char name[NAME_MAX_LEN];
    int step = unzGoToFirstFile(zip);
    while (step == UNZ_OK && !problem) {
        unz_file_info64 info;
        if (unzGetCurrentFileInfo64(zip, &info, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK)
            problem = "cannot be listed";
        else
            problem = check_part(zip, name);
        if (!problem)
            step = unzGoToNextFile(zip);
    }
    if (!problem && step != UNZ_END_OF_LIST_OF_FILE) {
        problem = "cannot be listed";
        snprintf(name, sizeof name, "(the zip directory)");
    }
    unzClose(zip);
    if (!problem)
        return BV_OK;
    if (problem == OUT_OF_MEMORY)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    return bv_error(errors, BV_ERR_IO, &where, NULL,
                    "the workbook written is incomplete: its part %s %s (libxlsxwriter's "
                    "temporary files in /tmp could not be written in full: is /tmp full?)",
                    name, problem);
}
