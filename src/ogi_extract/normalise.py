"""Raw report text -> clean simplified text, with a map from every output character back to the raw text.

Every rule either deletes characters or replaces one character by one character, so the map is
exact: ``raw[offsets[i]]`` is the character that output character ``i`` came from.
The rules run in a fixed order (see ``normalise``); each is a small function on a ``Mapped`` text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_NUM = "一二三四五六七八九十百零〇○"


@dataclass(frozen=True)
class Normalised:
    """Normalised text and, for each of its characters, the index of the raw character it came from."""

    text: str
    offsets: np.ndarray  # int64, len(text)
    raw_length: int

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the raw text."""
        if start >= end:
            pos = int(self.offsets[start]) if start < len(self.offsets) else self.raw_length
            return pos, pos
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1


@dataclass
class Mapped:
    text: str
    offsets: np.ndarray

    def delete(self, spans: list[tuple[int, int]]) -> "Mapped":
        """Remove the given sorted, non-overlapping [start, end) spans."""
        if not spans:
            return self
        keep_text: list[str] = []
        keep_idx: list[np.ndarray] = []
        pos = 0
        for start, end in spans:
            if start > pos:
                keep_text.append(self.text[pos:start])
                keep_idx.append(self.offsets[pos:start])
            pos = max(pos, end)
        keep_text.append(self.text[pos:])
        keep_idx.append(self.offsets[pos:])
        return Mapped("".join(keep_text), np.concatenate(keep_idx) if keep_idx else self.offsets[:0])

    def delete_matches(self, pattern: re.Pattern[str], group: int = 0) -> "Mapped":
        return self.delete([m.span(group) for m in pattern.finditer(self.text) if m.end(group) > m.start(group)])

    def replace_chars(self, new_text: str) -> "Mapped":
        """Same length, character for character (translation, script conversion)."""
        assert len(new_text) == len(self.text)
        return Mapped(new_text, self.offsets)


# --- character-level cleaning ---------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u2060\ufeff\u00ad\ufffe]")
_CR = re.compile(r"\r(?=\n)")


def _translation_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF10, 0xFF1A):  # ０-９
        table[code] = chr(code - 0xFEE0)
    for code in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        table[code] = chr(code - 0xFEE0)
    table.update({ord(c): " " for c in "\u3000\u00a0\u2002\u2003\u2009\u202f\u205f"})
    table.update({ord("\r"): "\n", ord("％"): "%", ord("＠"): "@", ord("．"): "."})
    table.update({ord(c): "“" for c in "„‟〝「＂"})
    table.update({ord(c): "”" for c in "〞〟」"})
    table.update({ord(c): "‘" for c in "『‛"})
    table.update({ord(c): "’" for c in "』"})
    table.update({ord(c): "-" for c in "‐‑‒–−－﹣"})
    table.update({ord(c): "—" for c in "―─━"})
    return table


_TRANSLATE = _translation_table()
_STRAIGHT_QUOTE = re.compile(r'\\?"')


def _straight_quotes(m: Mapped) -> Mapped:
    """ASCII double quotes (and JS-escaped ones) become paired Chinese quotes, alternating per line."""
    if '"' not in m.text:
        return m
    escapes = [(x.start(), x.start() + 1) for x in _STRAIGHT_QUOTE.finditer(m.text) if x.group().startswith("\\")]
    m = m.delete(escapes)
    chars = list(m.text)
    opening = True
    for i, ch in enumerate(chars):
        if ch == "\n":
            opening = True
        elif ch == '"':
            chars[i] = "“" if opening else "”"
            opening = not opening
    return m.replace_chars("".join(chars))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(m: Mapped) -> Mapped:
    converter = _t2s()
    converted = converter.convert(m.text)
    if len(converted) == len(m.text):
        return m.replace_chars(converted)
    # Rare phrase conversions change length: fall back to character by character, keeping the first char.
    chars = [(converter.convert(ch) or ch)[0] for ch in m.text]
    return m.replace_chars("".join(chars))


# --- pinyin injected by mirror sites ---------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|er|in|un|ün|vn"
    "|ia|ie|iu|ua|uo|ui|üe|ve|ue|a|o|e|i|u|ü|v|n|ng|m)"
)


def _pinyin_pattern() -> re.Pattern[str]:
    # A syllable is written with tone marks; fold them onto plain vowels for the structural match.
    letter = f"[a-z{_TONED}]"
    syllable = f"{letter}{{1,6}}"
    return re.compile(rf"(?<=[{CJK}])(?:[ ]?\((?:{syllable})\))+")


_PINYIN_CANDIDATE = _pinyin_pattern()
_SYLLABLE = re.compile(rf"^{_INITIALS}{_FINALS}$")
_FOLD = str.maketrans(
    {**{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěè"}, **{c: "i" for c in "īíǐì"},
     **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "ü" for c in "ǖǘǚǜ"},
     **{c: "n" for c in "ńňǹ"}, "ḿ": "m"}
)
_GROUP = re.compile(r"\(([^()]*)\)")


def _is_pinyin_run(run: str) -> bool:
    groups = _GROUP.findall(run)
    return bool(groups) and all(_SYLLABLE.match(g.translate(_FOLD)) for g in groups)


def _remove_pinyin(m: Mapped) -> Mapped:
    spans = [x.span() for x in _PINYIN_CANDIDATE.finditer(m.text) if _is_pinyin_run(x.group())]
    return m.delete(spans)


# Mirror sites that inject pinyin also put a comma before punctuation: "部分,、" "组成,。".
_STRAY_COMMA = re.compile(r",+(?=[、。；：，,;])")


# --- page junk -------------------------------------------------------------------------------

_HEADER_FIELD = re.compile(
    r"^(?:标题|发布时间|发文时间|成文日期|文号|发布机构|发文机关|栏目|原文链接|原始链接|本地目录|索引号|主题分类|来源|信息来源|"
    r"公开方式|公开范围|有效性|体裁分类|生成日期|页面链接与图片详见|附件与图片链接)\s*[:：].*$|^=+\s*正文\s*=+$|^正文\s*[:：]\s*$"
    r"|^页面链接与图片详见.*$",
    re.M,
)
_BREADCRUMB = re.compile(
    r"(?:您当前的位置|您当前位置|当前位置|您现在的位置|您的位置|所在位置)\s*[:：]\s*(?:[^\s>＞»]+\s*[>＞»]\s*)*[^\s>＞»]*[^\S\n]*"
)
_WIDGETS = re.compile(
    r"\[bookmark:[^\]\n]*\]|\[\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部)\s*\]|【\s*(?:字体|字号)[:：][^】\n]*】|【\s*(?:打印本页|关闭窗口|打印|关闭)\s*】"
    r"|(?:^|(?<=\s))(?:分享到[:：]?|微信\s+微博\s+QQ空间(?:\s+全真版\s+文字版)?(?:\s+文件下载)?|相关链接[:：]\s*-->|扫一扫在手机打开当前页)(?=\s|$)"
    r"|^\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部|分享|收藏|字号[:：]?\s*大\s*中\s*小|【字体：大 中 小】)\s*$",
    re.M,
)
_HEADER_ZONE_LINES = 16
_HEADER_LINE_MAX = 200  # a longer line, or one with a full stop, holds body text


def _drop_junk(m: Mapped) -> Mapped:
    spans = [x.span() for x in _BREADCRUMB.finditer(m.text)]
    spans += [x.span() for x in _WIDGETS.finditer(m.text)]
    m = m.delete(_merge(spans))
    return m.delete(_header_block(m.text))


_HEADER_LINE = re.compile(_HEADER_FIELD.pattern + r"|^\s*(?:(?:图片|附件|链接)\s*[:：]\s*)?https?://\S+\s*$|^\s*$", re.M)


def _header_block(text: str) -> list[tuple[int, int]]:
    """Crawler header fields only count as one block at the very top of a document, never in the body."""
    spans = []
    pos = 0
    for _ in range(_HEADER_ZONE_LINES * 3):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if not _HEADER_LINE.fullmatch(line) or "。" in line or len(line) > _HEADER_LINE_MAX:
            break
        if line.strip():
            spans.append((pos, end))
        if end >= len(text):
            break
        pos = end + 1
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > start:
            merged.append((start, end))
    return merged


# --- blank space -----------------------------------------------------------------------------

_LINE_EDGE_SPACE = re.compile(r"^[ ]+|[ ]+$", re.M)
_EXTRA_SPACE = re.compile(r"(?<= ) +")
_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK}《》“”（）、，。；：]) (?=[{CJK}《》“”（）、，。；：\d])|(?<=\d) (?=[{CJK}《》“”（）、，。；：])")
# Page numbers that PDF extraction drops into running text: "分- 1 -级审核".
_PAGE_NUMBER = re.compile(rf"(?:^|(?<=[{CJK}，。；：]))[ ]*[-—][ ]\d{{1,3}}[ ][-—][ ]*(?=[{CJK}，。；：]|$)", re.M)
_EMPTY_LINES = re.compile(r"^\n+|\n+$|\n(?=\n)")
_TAB_EDGE = re.compile(r"[ ]+(?=\t)|(?<=\t)[ ]+")
# Tabs at the edge of a line that holds no other tab are indentation, not table cells;
# in a line of tab-separated cells a leading or trailing tab is an empty cell and stays.
_EDGE_BLANK = re.compile(r"^[\t ]+|[\t ]+$")


def _strip_indent_tabs(m: Mapped) -> Mapped:
    spans = []
    pos = 0
    for line in m.text.split("\n"):
        if "\t" in line and "\t" not in line.strip("\t "):
            spans += [(pos + x.start(), pos + x.end()) for x in _EDGE_BLANK.finditer(line)]
        pos += len(line) + 1
    return m.delete(spans)


# --- rejoining lines broken by page extraction ------------------------------------------------

_NUMERIC_LINE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
_CELL_MARK_LINE = re.compile(r"^(?:[-/—]|空|无)$")
_ENUMERATOR_ONLY = re.compile(
    rf"^(?:[（(][{CN_NUM}\d]*[)）]?|[{CN_NUM}]+[、,，.．]?|\d+[、.．]|[{CN_NUM}]+是|第[{CN_NUM}]+|[<《〈“(（])$"
)
_HEADING_START = re.compile(
    rf"^(?:[{CN_NUM}]+、|[（(][{CN_NUM}\d]+[)）]|\d+[、.．](?!\d)|[{CN_NUM}]+是|第[{CN_NUM}]+[条章节部分项]|附件|附表|附[:：]|其中[:：])"
)
_CONTINUATION_START = re.compile(
    r"^(?:[年月日号条件项个次人名万亿元家期场篇份类批余多户部位台套栋座所间千百十%‰、，,。；;：:.）)〕\]】》”’\-~至起时分天周期倍]|\d)"
)
_SENTENCE_END = re.compile(r"[。！？!?][”’）)]*$")
_TITLE_END = re.compile(r"(?:报告|年报)$")
_DOC_NUMBER_END = re.compile(r"[〔\[]\d{4}[〕\]]\s*\d+\s*号$")
_TABLE_START = re.compile(
    r"第二十条第|^信息内容|申请人情况|本列数据的勾稽关系|指标名称|计量单位|^结果维持|统计表|^附表|^附件\d*[:：]?.*(?:统计|情况表)"
)
_TABLE_LINE_LIMIT = 60
_PIPE_ROW = re.compile(r"^\s*\|")
# A heading stays on its own line when the next line is a whole paragraph, not another fragment.
_PARAGRAPH_LINE = 40
_HEADING_LINE_MAX = 40
_INNER_PUNCT = re.compile(r"[，。；,;]")


def _is_heading_line(line: str) -> bool:
    return len(line) <= _HEADING_LINE_MAX and bool(_HEADING_START.match(line)) and not _INNER_PUNCT.search(line)


def _rejoin_lines(m: Mapped) -> Mapped:
    lines = m.text.split("\n")
    if len(lines) < 2:
        return m
    in_table = [False] * len(lines)
    zone = False
    for i, line in enumerate(lines):
        if _TABLE_START.search(line):
            zone = True
        elif zone and ("。" in line or len(line) > _TABLE_LINE_LIMIT):
            zone = False
        in_table[i] = zone
    numeric = [bool(_NUMERIC_LINE.match(line)) for line in lines]

    join = [False] * (len(lines) - 1)  # join[i]: remove the newline between line i and i+1
    i = 0
    while i < len(lines) - 1:
        if numeric[i + 1] or numeric[i]:
            # A run of lines holding only numbers: fragments of prose ("2021\n年") or table cells ("3\n0\n3").
            start = i + 1 if numeric[i + 1] else i
            end = start
            while end + 1 < len(lines) and numeric[end + 1]:
                end += 1
            prev_line = lines[start - 1] if start > 0 else None
            next_line = lines[end + 1] if end + 1 < len(lines) else None
            continues = next_line is not None and bool(_CONTINUATION_START.match(next_line)) and not _HEADING_START.match(next_line)
            table = in_table[start] or (end > start and not continues)
            if continues or not table:
                for k in range(start - 1 if prev_line is not None else start, end + (1 if next_line is not None else 0)):
                    if k < 0:
                        continue
                    if k == start - 1 and (_SENTENCE_END.search(prev_line) or _HEADING_START.match(lines[start]) or (table and not continues)):
                        continue
                    if k == end and not continues and (next_line is None or _HEADING_START.match(next_line) or table):
                        continue
                    join[k] = True
            i = end + 1  # the run and both its edges are decided
            continue
        i += 1

    for i in range(len(lines) - 1):
        if join[i] or numeric[i] or numeric[i + 1]:
            continue
        prev_line, next_line = lines[i], lines[i + 1]
        if not prev_line or not next_line:
            continue
        if _ENUMERATOR_ONLY.match(prev_line) or re.fullmatch(r"[)）>》〉”]", next_line):
            join[i] = True
            continue
        if in_table[i] or in_table[i + 1] or "\t" in prev_line or "\t" in next_line or _PIPE_ROW.match(prev_line) or _PIPE_ROW.match(next_line):
            continue
        if _SENTENCE_END.search(prev_line) or _HEADING_START.match(next_line) or _CELL_MARK_LINE.match(next_line):
            continue
        if (_TITLE_END.search(prev_line) and len(prev_line) <= 80) or (_TITLE_END.search(next_line) and 8 <= len(next_line) <= 80):
            continue
        if _DOC_NUMBER_END.search(prev_line):
            continue
        if _is_heading_line(prev_line) and len(next_line) >= _PARAGRAPH_LINE:
            continue
        join[i] = True

    spans = []
    pos = 0
    for i, line in enumerate(lines[:-1]):
        pos += len(line)
        if join[i]:
            spans.append((pos, pos + 1))
        pos += 1
    return m.delete(spans)


# --- the pipeline ----------------------------------------------------------------------------


_MAX_REJOIN_ROUNDS = 8


def _clean_inline(m: Mapped) -> Mapped:
    """Deletions that read neighbouring characters; run again after lines are rejoined."""
    m = _remove_pinyin(m)
    m = m.delete_matches(_STRAY_COMMA)
    m = _drop_junk(m)
    m = _strip_indent_tabs(m)
    m = m.delete_matches(_TAB_EDGE)
    m = m.delete_matches(_LINE_EDGE_SPACE)
    m = m.delete_matches(_EXTRA_SPACE)
    m = m.delete_matches(_PAGE_NUMBER)
    m = m.delete_matches(_SPACE_IN_CJK)
    return m.delete_matches(_EMPTY_LINES)


def normalise(raw: str, *, rejoin: bool = True) -> Normalised:
    """Clean a raw report text; see the module docstring for the contract of the offset map."""
    m = Mapped(raw, np.arange(len(raw), dtype=np.int64))
    m = m.delete_matches(_CR)
    m = m.delete_matches(_CONTROL)
    m = m.replace_chars(m.text.translate(_TRANSLATE))
    m = _straight_quotes(m)
    m = _remove_pinyin(m)
    m = _to_simplified(m)
    m = _clean_inline(m)
    if rejoin:
        # Joining can give lines a new shape that joins again: repeat until nothing changes.
        for _ in range(_MAX_REJOIN_ROUNDS):
            before = m.text
            m = _clean_inline(_rejoin_lines(m))
            if m.text == before:
                break
    return Normalised(m.text, m.offsets, len(raw))
