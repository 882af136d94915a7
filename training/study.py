"""Print the segmenter study table from the meta.json of trained pipelines.

    python training/study.py models/ogi_zh models/ogi_zh_jieba models/ogi_zh_pkuseg
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LABELS = ("AGENCY", "COUNT", "PROBLEM", "MEASURE")


def size_mb(path: Path) -> float:
    output = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True).stdout.split()
    return float(output[0]) if output else 0.0


def row(path: Path) -> str:
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))["ogi"]
    scores = meta["dev"]["per_type"]
    cells = [f"{scores[label]['p']:.3f} / {scores[label]['r']:.3f} / **{scores[label]['f']:.3f}**" for label in LABELS]
    return (f"| {meta['segmenter']} | " + " | ".join(cells) + f" | {meta['indicators_dev']['accuracy']:.3f} | "
            f"{meta['training_seconds']} | {meta['dev']['chars_per_second']:,} | {size_mb(path):.0f} |")


def main(paths: list[str]) -> None:
    print("| segmenter | AGENCY P / R / F1 | COUNT P / R / F1 | PROBLEM P / R / F1 | MEASURE P / R / F1 | indicator acc. | training (s) | characters/s | size (MB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        if (Path(path) / "meta.json").exists():
            print(row(Path(path)))


if __name__ == "__main__":
    main(sys.argv[1:])
