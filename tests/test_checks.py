"""Consistency-check tests; the tables are real corpus excerpts (fixtures/tables/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

from ogi_extract.checks import run_checks
from ogi_extract.normalise import normalise
from ogi_extract.tables import Cell, parse_tables

FIX = Path(__file__).parent / "fixtures" / "tables"


def cells_of(name: str) -> dict[str, Cell]:
    return parse_tables(normalise((FIX / name).read_text(encoding="utf-8")).text).cells


def by_id(results):
    return {r.id: r for r in results}


def test_consistent_report_passes_all_checks_a020():
    res = by_id(run_checks(cells_of("a020_table.txt")))
    assert set(res) == {"C1", "C2", "C3", "C4"}
    assert all(r.ok for r in res.values())
    assert res["C1"].detail == "7 columns agree"
    assert res["C4"].detail == "3 blocks agree"


def test_narrative_disagrees_with_annex_d038():
    # d038 prose: "共受理政府信息公开申请238件"; its 附表: 受理政府信息公开申请总数 218
    cells = cells_of("d038_table.txt")
    res = by_id(run_checks(cells, {"applications_received": 238, "applications_granted": 168}))
    assert res["C7"].ok is False
    assert res["C7"].detail == "applications_received: text 238 != table 218"


def test_narrative_agrees_a020():
    res = by_id(run_checks(cells_of("a020_table.txt"), {"applications_received": 713, "admin_reconsideration": 61,
                                                       "admin_litigation": 13}))
    assert res["C7"].ok and res["C7"].detail == "3 indicators agree"


def test_blank_cells_are_unknown_not_zero_a023():
    # a023 leaves most cells empty: C2/C3 cannot compare columns/rows with blanks, C4 skips the
    # empty 复议后起诉 block, so nothing is reported as a failure
    res = by_id(run_checks(cells_of("a023_table.txt")))
    assert res["C1"].ok  # 821+18 == 805+72 and 859+18 == 805+72 (only fully known columns)
    assert res["C1"].detail == "2 columns agree"
    assert "C4" not in res or res["C4"].ok


def test_dropped_cells_do_not_fail_checks_d009():
    res = by_id(run_checks(cells_of("d009_table.txt")))
    assert "C4" not in res  # table 4 unrecoverable: check not emitted
    assert res["C1"].ok


def test_failure_details_name_columns_and_numbers():
    # a013's real table with one cell changed as if misread (23 -> 22): the corpus tables with all
    # cells known are consistent, so a failing C1/C3 needs one altered number.
    text = normalise((FIX / "a013_table.txt").read_text(encoding="utf-8")).text
    cells = parse_tables(text).cells
    c = cells["t3.result.total.natural_person"]
    cells["t3.result.total.natural_person"] = Cell(22, "reported", c.start, c.end, c.text)
    res = by_id(run_checks(cells))
    assert not res["C1"].ok
    assert res["C1"].detail == "natural_person: 23+0 != 22+0"
    assert not res["C3"].ok and res["C3"].detail == "result.total: 22+0+0+0+0+0 != 23"
    assert not res["C2"].ok and "natural_person: sum of result rows 23 != 总计 22" in res["C2"].detail


def test_dash_cell_makes_column_unknown():
    cells = cells_of("a020_table.txt")
    c = cells["t3.new_received.natural_person"]
    cells["t3.new_received.natural_person"] = Cell(None, "dash", c.start, c.end, "-")
    res = by_id(run_checks(cells))
    assert res["C1"].detail == "6 columns agree"
