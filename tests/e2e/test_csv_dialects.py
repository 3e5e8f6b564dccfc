"""One book of ten clients in five CSV forms — canonical UTF-8; Excel-Spain (';', 1.234,56,
Windows-1252, Spanish headers and values mapped); tab-separated UTF-16 with a byte-order mark;
a title block of three rows; '1 234,56' thousands — gives the same JSON and the same client
names in the workbook. The files are generated here from one table with Python's codecs."""
import csv
import io
import json
import os
import sys
import tempfile
import unittest
import zipfile
from xml.etree import ElementTree

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

# id, name, segment, annual revenue (exact decimal text), tenure years, active
CLIENTS = [
    ("B-01", "Panadería López", "personal", "2385.17", "8", True),
    ("B-02", "Müller & Söhne", "company", "14720.50", "11", True),
    ("B-03", "Ação Contábil Ltda.", "company", "1234567.89", "3", True),
    ("B-04", "Señora Ibáñez, S.L.", "company", "731.40", "0", False),
    ("B-05", "Café «Œuvre» \"Le Zinc\"", "personal", "98765.43", "21", True),
    ("B-06", "Gestoría Núñez; hijos", "personal", "412.90", "5", True),
    ("B-07", "Fábrica São João", "company", "12000.00", "2", True),
    ("B-08", "Oficina Peña–Ruiz", "personal", "3150.75", "14", False),
    ("B-09", "Çelik Ÿilmaz", "company", "8841.09", "6", True),
    ("B-10", "Librería Ñandú", "personal", "5210.33", "1", True),
]

HEAD = """name: "Five forms of one book"
currency: EUR
horizon_years: 9
discount_rate: 0.1135
margin: 0.4125
retention: 0.8875
segments:
  personal: {retention: 0.8615}
  company: {margin: 0.4625}
"""

ES_VALUES = {"personal": "Autónomo", "company": "Sociedad"}


def grouped(amount, thousands, decimal):
    whole, cents = amount.split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return thousands.join(groups) + decimal + cents


def table(header, rows, delimiter):
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


CANONICAL_HEADER = ["id", "name", "segment", "annual_revenue", "tenure_years", "active"]


def canonical_rows(money=lambda a: a):
    return [[i, n, s, money(r), t, "true" if a else "false"] for i, n, s, r, t, a in CLIENTS]


def forms():
    """{form: (scenario text, {file name: bytes})}"""
    out = {}
    text = table(CANONICAL_HEADER, canonical_rows(), ",")
    out["canonical"] = ("clients_csv: clients.csv\n", {"clients.csv": text.encode("utf-8")})

    es_header = ["NIF", "Cliente", "Tipo", "Honorarios 2025", "Antigüedad", "Activo", "Notas"]
    es_rows = [[i, n, ES_VALUES[s], grouped(r, ".", ","), t, "Sí" if a else "No", "—"[:0] + "x"]
               for i, n, s, r, t, a in CLIENTS]
    text = table(es_header, es_rows, ";")
    out["excel-es"] = (
        "extends: csv/excel-es\n"
        "clients_csv:\n"
        "  path: clientes.csv\n"
        "  columns: {id: \"NIF\", name: \"Cliente\", segment: \"Tipo\",\n"
        "            annual_revenue: \"Honorarios 2025\", tenure_years: \"Antigüedad\",\n"
        "            active: \"Activo\"}\n"
        "  values:\n"
        "    active: {\"Sí\": true, \"No\": false}\n"
        "    segment: {\"Sociedad\": company, \"Autónomo\": personal}\n",
        {"clientes.csv": text.encode("windows-1252")})

    text = table(CANONICAL_HEADER, canonical_rows(), "\t")
    out["utf16-tab"] = ("clients_csv: clients.txt\n",
                        {"clients.txt": text.encode("utf-16")})  # BOM + native (LE) order

    text = ("Client list;;;;;\r\nExported 2025-03-31 from the practice system\r\n\r\n" +
            table(CANONICAL_HEADER, canonical_rows(), ","))
    out["title-block"] = ("clients_csv: {path: clients.csv, skip_rows: 3}\n",
                          {"clients.csv": text.encode("utf-8")})

    text = table(CANONICAL_HEADER, canonical_rows(lambda a: grouped(a, " ", ",")), ";")
    out["space-thousands"] = (
        "clients_csv: {path: clients.csv, delimiter: \";\", decimal: \",\", thousands: \" \"}\n",
        {"clients.csv": text.encode("utf-8")})
    return out


def sheet_rows(xlsx, title):
    """The Clients sheet's text cells, row by row (shared strings resolved)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(xlsx) as z:
        names = z.namelist()
        shared = [] if "xl/sharedStrings.xml" not in names else [
            si.findall(".//m:t", ns) for si in
            ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        shared = ["".join(t.text or "" for t in ts) for ts in shared]
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(rel) for s in wb.find("m:sheets", ns) if s.get("name") == title)
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        sheet = ElementTree.fromstring(z.read("xl/" + target))
    rows = []
    for row in sheet.iter("{%s}row" % ns["m"]):
        cells = []
        for c in row.findall("m:c", ns):
            v = c.find("m:v", ns)
            if c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.findall(".//m:t", ns)))
            elif v is not None:
                cells.append(shared[int(v.text)] if c.get("t") == "s" else v.text)
        rows.append(cells)
    return rows


def run_form(tmp, form, scenario, files):
    d = os.path.join(tmp, form)
    os.makedirs(d)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    path = e2e.write(os.path.join(d, "book.yaml"), HEAD + scenario)
    # The presets live in the source tree's models/: a scenario finds them from a parent
    # directory, or through the installed models; point bookval at the source tree's.
    env_models = os.path.join(e2e.ROOT, "models")
    os.makedirs(os.path.join(d, "models"), exist_ok=True)
    os.symlink(os.path.join(env_models, "csv"), os.path.join(d, "models", "csv"))
    out_json, out_xlsx = os.path.join(d, "out.json"), os.path.join(d, "out.xlsx")
    p = e2e.run("run", path, "-o", out_xlsx, "--json", out_json)
    if p.returncode != 0:
        raise AssertionError(f"{form}: bookval exited {p.returncode}:\n{p.stdout}{p.stderr}")
    v = e2e.run("validate", path)
    with open(out_json, encoding="utf-8") as f:
        return json.load(f), sheet_rows(out_xlsx, "Clients"), v.stdout, p.stderr


class FiveFormsOneBook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.results = {}
        with tempfile.TemporaryDirectory(prefix="bookval-csv-") as tmp:
            for form, (scenario, files) in forms().items():
                cls.results[form] = run_form(tmp, form, scenario, files)

    def test_same_json(self):
        base, _, _, _ = self.results["canonical"]
        # Inactive clients are left out of the book's revenue (issue 17).
        self.assertAlmostEqual(base["book"]["annual_revenue"],
                               sum(float(c[3]) for c in CLIENTS if c[5]), places=6)
        self.assertGreater(base["dcf"]["value"], 0)
        for form, (j, _, _, _) in self.results.items():
            with self.subTest(form=form):
                # The scenario's own path and digest differ; everything valued must not.
                for k in ("file", "sha256"):
                    self.assertNotEqual(j["scenario"].pop(k), None)
                    base["scenario"].pop(k, None)
                # So do the input files' paths and digests (provenance): the CSVs differ.
                roles = [f["role"] for f in j.pop("inputs")]
                self.assertEqual((roles[0], roles[-1]), ("scenario", "clients_csv"))
                base.pop("inputs", None)
                self.assertEqual(json.dumps(j, sort_keys=True), json.dumps(base, sort_keys=True))

    def test_same_names_in_the_workbook(self):
        _, base, _, _ = self.results["canonical"]
        text = "\n".join("\t".join(r) for r in base)
        for _, name, *_ in CLIENTS:
            self.assertIn(name, text)
        for form, (_, rows, _, _) in self.results.items():
            with self.subTest(form=form):
                self.assertEqual(rows, base)

    def test_validate_shows_dialect_and_first_row(self):
        out = self.results["excel-es"][2]
        self.assertIn("delimiter ';', decimal ',', thousands '.', windows-1252", out)
        self.assertIn("first row (line 2): id 'B-01', name 'Panadería López', "
                      "annual_revenue 2385.17", out)
        out = self.results["utf16-tab"][2]
        self.assertIn("delimiter tab (detected)", out)
        self.assertIn("utf-16 (byte-order mark)", out)
        self.assertIn("first row (line 5)", self.results["title-block"][2])

    def test_unmapped_column_is_a_note(self):
        err = self.results["excel-es"][3]
        self.assertRegex(err, r"clientes\.csv:1:1: note: clients_csv: columns not mapped, "
                              r"ignored: 'Notas'")


if __name__ == "__main__":
    e2e.main()
