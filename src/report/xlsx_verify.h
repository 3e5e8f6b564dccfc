/*
 * xlsx_verify.h — read a written workbook back before it replaces anything.
 *
 * libxlsxwriter builds each part of the workbook in a temporary file (tmpfile(), in /tmp)
 * and does not check those writes: when /tmp is full, a sheet is cut short and the workbook
 * still closes without an error, a valid zip that silently lacks rows. So every workbook is
 * unzipped once (minizip), each part's CRC checked by the unzip and each XML part required
 * to end with its root element's closing tag.
 */
#ifndef BOOKVAL_XLSX_VERIFY_H
#define BOOKVAL_XLSX_VERIFY_H

#include "error.h"

/* exceptions: BV_ERR_IO naming `path` and the part that is cut short or unreadable. */
BvStatus xlsx_verify(const char *path, BvErrors *errors);

#endif
