"""Properties of the CSV export's cells: no formula, whichever list separator a spreadsheet
splits the file on (',' as written, or ';' as in many Indonesian settings)."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import example, given
from hypothesis import strategies as st

from bot.services.exports import safe
from bot.services.xlsx import ILLEGAL

# Text as people type it, rich in what matters here: separators, quotes, formula characters.
TYPED = st.text(alphabet=st.sampled_from(list("ab1 ;,\"'=+-@|!\t\r\n")) | st.characters(),
                max_size=20)


def cells_as_read(row: list[str | None], delimiter: str) -> list[str]:
    """Writes the row as the export does, reads it back split on `delimiter`."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerow(row)
    return [cell for read in csv.reader(io.StringIO(buffer.getvalue(), newline=""),
                                        delimiter=delimiter) for cell in read]


def starts_a_formula(cell: str) -> bool:
    """A formula character first, or after white space and quotes a spreadsheet may skip."""
    return re.match(r'[\s"]*[=+\-@]', cell) is not None


@given(st.lists(TYPED, min_size=1, max_size=4))
@example(["Petani;=cmd|' /C calc'!A0;x"])
@example(["PT Maju", 'x,"@SUM(A1)', "a\n-1"])
def test_no_cell_starts_a_formula_whichever_the_separator(values: list[str]) -> None:
    row = [safe(value) for value in values]
    for delimiter in (",", ";"):
        cells = cells_as_read(row, delimiter)
        assert not [cell for cell in cells if starts_a_formula(cell)], (delimiter, cells)
    assert cells_as_read(row, ",") == [cell or "" for cell in row]  # read back as written


@given(TYPED)
@example("\ud800")  # a lone surrogate: XML cannot hold it, so it is removed too
def test_what_is_defused_stays_readable(value: str) -> None:
    """Only apostrophes are added (and the control characters XLSX refuses removed)."""
    defused = safe(value) or ""
    allowed = ILLEGAL.sub("", value)
    assert defused.replace("'", "") == allowed.replace("'", "")
    assert safe(defused) == defused  # defusing twice changes nothing
