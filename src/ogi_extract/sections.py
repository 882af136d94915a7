"""Where the report's sections start: headings of the 2019/2021 template and the older free-form reports."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = "一二三四五六七八九十"
_ENUM = rf"(?:[{_NUM}]+[、.，,]|[（(][{_NUM}]+[)）]|\d+[.、])"

# (key, heading pattern). Order matters only for ties at the same position.
_SECTION_PATTERNS: list[tuple[str, str]] = [
    ("overall", r"(?:总体情况|概述|概况|基本情况|基本工作情况|主要工作概述|引言)"),
    ("proactive_disclosure", r"主动公开(?:政府)?信息(?:的)?(?:情况|工作情况)"),
    ("applications", r"(?:收到和处理政府信息公开申请情况|依申请公开(?:政府)?信息(?:的)?(?:情况|办理情况|工作情况)|政府信息依申请公开(?:办理|工作)?情况|依申请公开[^\n。]{0,20}不予公开[^\n。]{0,10}情况)"),
    ("fees", r"(?:政府信息公开的?收费及减免情况|收费及减免情况|依申请收费及减免情况)"),
    ("review_litigation", r"(?:[^\n。]{0,20}行政复议[^\n。]{0,20}行政诉讼[^\n。]{0,10}情况)"),
    ("problems_improvements", r"(?:[^\n。]{0,16}存在的?主要问题[^\n。]{0,12}|[^\n。]{0,10}存在(?:的)?问题(?:及|和|与)?[^\n。]{0,10}|[^\n。]{0,6}问题及改进[^\n。]{0,6})"),
    ("next_steps", r"(?:下一步工作(?:计划|打算|思路)?|下步打算|[\d]{4}年工作(?:思路|计划|打算)|改进措施|工作思路)"),
    ("other_matters", r"(?:其他需要报告的事项|需要说明的(?:其他)?事项|其他需要说明的事项|其他应说明事项|其他事项)"),
    ("annex", r"(?:附表|附件\d*[:：]?[^\n。]{0,40}统计表)"),
]

_HEADING = re.compile(
    "|".join(rf"(?P<{key}>{_ENUM}\s*{pattern})" for key, pattern in _SECTION_PATTERNS)
)


@dataclass(frozen=True)
class Section:
    key: str
    start: int  # where the heading starts
    body_start: int  # first character after the heading
    end: int  # start of the next section, or the end of the text


def find_sections(text: str) -> list[Section]:
    """Top-level sections in text order; each extends to the next heading."""
    found: list[tuple[int, int, str]] = []
    for match in _HEADING.finditer(text):
        key = match.lastgroup
        if key is None:
            continue
        # A heading starts a line or follows sentence-final punctuation (flattened pages).
        if match.start() > 0 and text[match.start() - 1] not in "\n。；;：:！!？? \t":
            continue
        found.append((match.start(), match.end(), key))
    sections: list[Section] = []
    for i, (start, body_start, key) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        sections.append(Section(key, start, body_start, end))
    return sections
