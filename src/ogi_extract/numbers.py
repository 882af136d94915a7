"""Numbers as reports write them: Arabic with separators, Chinese numerals, 万/亿 multipliers, 余/多 approximations."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

CN_DIGITS = "零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
_ARABIC = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(万|亿)?")
_APPROX = re.compile(r"(余|多|左右|近|约)")
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True)
class Quantity:
    value: int | float
    unit: str | None
    approximate: bool


def to_number(text: str) -> int | float | None:
    """'1,234' -> 1234, '3.5万' -> 35000, '一千二百' -> 1200, '八十六点五亿' -> 8650000000; None if not a number."""
    text = text.strip().replace("两", "二")
    if not text:
        return None
    match = _ARABIC.match(text)
    if match and match.end() == len(text):
        number = float(match.group(1).replace(",", ""))
        number *= _MULTIPLIER.get(match.group(2) or "", 1)
        return _tidy(number)
    multiplier = 1
    if text[-1] in _MULTIPLIER and len(text) > 1 and text[-2] not in "十百千":
        # cn2an rejects decimals before a unit ('八十六点五亿'): apply the multiplier ourselves.
        multiplier = _MULTIPLIER[text[-1]]
        text = text[:-1]
    try:
        number = cn2an.cn2an(text.replace("〇", "零").replace("○", "零"), "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return _tidy(float(number) * multiplier)


def _tidy(number: float) -> int | float:
    return int(number) if float(number).is_integer() else round(number, 6)


_QUANTITY = re.compile(rf"^(?P<num>\d[\d,]*(?:\.\d+)?|[{CN_DIGITS}]+)(?P<mult>万|亿)?(?P<approx>余|多)?(?P<unit>.*)$")


def parse_quantity(text: str) -> Quantity | None:
    """'35条' -> 35 条; '273余项' -> 273 项 approximate; '3.5万元' -> 35000 元."""
    match = _QUANTITY.match(text.strip())
    if not match:
        return None
    value = to_number(match.group("num") + (match.group("mult") or ""))
    if value is None:
        return None
    unit = match.group("unit").strip() or None
    if unit and unit[0] in "余多":
        unit = unit[1:] or None
    approximate = bool(match.group("approx")) or bool(unit and _APPROX.search(unit))
    return Quantity(value=value, unit=unit, approximate=approximate)
