"""The consistency checks of the bundled pipeline against the hand-audited results of the 83 table-gold
reports (annotations/tables/checks_gold.tsv; annotations/tables/AUDIT.md says how they were made)."""

import csv
from collections import defaultdict
from pathlib import Path

import ogi_extract

ROOT = Path(__file__).resolve().parents[1]


def test_check_results_agree_with_the_audit():
    expected: dict[str, dict[str, bool]] = defaultdict(dict)
    with open(ROOT / "annotations" / "tables" / "checks_gold.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            expected[row["source"]][row["check"]] = row["expected"] == "True"
    extractor = ogi_extract.load()
    compared, disagreements = 0, []
    for source, checks in expected.items():
        record = extractor.extract(ROOT / "corpus" / source)
        found = {c.id: c.ok for c in record.checks if c.id in ("C1", "C2", "C3", "C4", "C7")}
        for check in sorted(set(checks) | set(found)):
            compared += 1
            if checks.get(check) != found.get(check):
                disagreements.append(f"{source} {check}: audit {checks.get(check)}, pipeline {found.get(check)}")
    assert compared >= 219
    assert not disagreements, "\n".join(disagreements)
