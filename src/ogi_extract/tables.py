"""Deterministic parser of the statistical tables of OGI annual reports.

``parse_tables(text)`` finds tables 2, 3 and 4 of the 2019 / 2021 national templates, or the
indicator annex (附表) of the pre-2019 reports, in *normalised* text and returns one ``Cell`` per
table cell, keyed like ``t3.new_received.natural_person`` (report-format.md §1-3).

How it works
------------
Rows are found by anchors: a short key phrase of each row label ("本年新收", "国家秘密", ...),
searched in template order, so local label variants (extra parenthetical instructions, half-width
brackets, split lines) still match. The value span of a row is the run of value characters
(digits, ``.``, ``-``, ``/``, ``—``, ``空``, blanks, tabs and ``|``) that follows the rest of its
label, cut at the next anchor. The span is then read according to its shape:

* tab rows (HTML / docx ingestion) and pipe tables: cells are delimited, an empty cell is
  ``blank``;
* one cell per line: every token is a cell; when fewer tokens than columns are present the empty
  cells were dropped and only what is certain is filled (the 总计 when it equals the sum of the
  others; a 总计 of 0 makes every column 0, status ``derived``);
* flattened text (no separators or only spaces, "230 000023"): digit runs are split into the
  known number of cells so that the row constraints hold (C3 for table 3, C4 for table 4, no
  leading zeros). When more than one split satisfies them the cells that differ get status
  ``ambiguous`` and a note; table 3 then tries to settle them with the column sums (C1, C2).

Blank, ``-``, ``/``, ``—`` and ``空`` cells keep their status and are never read as 0.
All regexes are precompiled, anchors are searched left to right, splitting is bounded, so the
cost is linear in the length of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

__all__ = ["Cell", "TableResult", "parse_tables", "T3_COLUMNS", "T4_BLOCKS", "T4_COLUMNS", "t3_rows"]


@dataclass
class Cell:
    value: int | float | None  # None when blank / '-' / '/' / '空' / unknown
    status: str  # reported | blank | dash | slash | empty | ambiguous | derived
    start: int  # offsets into the text given to parse_tables (the evidence)
    end: int
    text: str  # text[start:end]


@dataclass
class TableResult:
    format: str | None  # "2019" | "2021" | "pre2019" | None
    cells: dict[str, Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


T3_COLUMNS = (
    "natural_person",
    "org_commercial",
    "org_research",
    "org_public_welfare",
    "org_legal_services",
    "org_other",
    "total",
)
T4_BLOCKS = ("admin_review", "litigation_direct", "litigation_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# --- anchors ---------------------------------------------------------------------------------
# (key, key phrase regex, is_data_row). Group labels carry no values but bound the row before.
_T3_COMMON_HEAD = [
    ("new_received", r"本年度?新收", True),
    ("carried_over_in", r"上年度?结转", True),
    ("_g_result", r"办理结果", False),
    ("result.granted", r"予以公开", True),
    ("result.partially_granted", r"部分公开", True),
    ("_g_denied", r"不\s*予\s*公\s*开", False),
    ("result.denied.state_secret", r"国家秘密", True),
    ("result.denied.prohibited_by_law", r"禁止公开", True),
    ("result.denied.security_stability", r"三安全一稳定|危及", True),
    ("result.denied.third_party_rights", r"第三方", True),
    ("result.denied.internal_affairs", r"内部事务", True),
    ("result.denied.process_info", r"过程性", True),
    ("result.denied.enforcement_file", r"执法案卷", True),
    ("result.denied.admin_query", r"行政查询", True),
    ("_g_unable", r"无法提供", False),
    ("result.unable.not_held", r"不掌握", True),
    ("result.unable.needs_creation", r"另行制作", True),
    ("result.unable.unclear_after_correction", r"仍不明确|补正后申请", True),
    ("_g_not_processed", r"不\s*予\s*处\s*理", False),
    ("result.not_processed.petition_complaint", r"信访", True),
    ("result.not_processed.duplicate", r"重复申请", True),
    ("result.not_processed.publication", r"出版物", True),
    ("result.not_processed.excessive", r"大量反复", True),
    ("result.not_processed.confirm_or_reissue", r"重新出具|确认或", True),
]
_T3_2019_TAIL = [
    ("result.other_total", r"其他处理", True),
]
_T3_2021_TAIL = [
    ("_g_other", r"其他处理", False),
    ("result.other.no_correction", r"逾期不补正", True),
    ("result.other.fee_unpaid", r"缴纳费用|收费通知", True),
    ("result.other.other", r"\d\s*[.、]\s*其他(?!处理)", True),
]
_T3_END = [
    ("result.total", r"(?:[（(]\s*七\s*[)）]\s*)?总\s*计", True),
    ("carried_forward_out", r"结转下年", True),
]


def t3_rows(fmt: str) -> list[str]:
    """Data-row keys of table 3 in template order for format "2019" or "2021"."""
    tail = _T3_2021_TAIL if fmt == "2021" else _T3_2019_TAIL
    return [k for k, _, data in _T3_COMMON_HEAD + tail + _T3_END if data]


_T2_2021 = [
    ("rules", r"规\s*章", ("issued", "repealed", "in_force")),
    ("normative_docs", r"规范性文件", ("issued", "repealed", "in_force")),
    ("admin_licensing", r"行政许可", ("decisions",)),
    ("admin_penalty", r"行政处罚", ("decisions",)),
    ("admin_coercion", r"行政强制", ("decisions",)),
    ("admin_fees", r"行政事业性收费", ("amount_wan_yuan",)),
]
_T2_2019 = [
    ("rules", r"规\s*章", ("new_made", "new_published", "total_published")),
    ("normative_docs", r"规范性文件", ("new_made", "new_published", "total_published")),
    ("admin_licensing", r"行政许可", ("prev_year_items", "items_change", "decisions")),
    ("other_admin_services", r"对外管理服务", ("prev_year_items", "items_change", "decisions")),
    ("admin_penalty", r"行政处罚", ("prev_year_items", "items_change", "decisions")),
    ("admin_coercion", r"行政强制", ("prev_year_items", "items_change", "decisions")),
    ("admin_fees", r"行政事业性收费", ("prev_year_items", "items_change")),
    ("gov_procurement", r"政府集中采购", ("projects", "total_amount")),
]

# Old 附表 indicators (report-format §3.2). Order matters only loosely: each is searched after the
# previous match, then, if not found, from the start of the annex.
_LEGACY = [
    ("legacy.active.total", r"主动公开(?:政府)?(?:信息|文件)(?:总)?数"),
    ("legacy.active.fulltext_electronic", r"全文电子化"),
    ("legacy.active.via_gazette_first", None),  # placeholder, filtered below
    ("legacy.active.via_website", r"(?:政府)?网站公开|[12][.、．]\s*政府网站(?!中)"),
    ("legacy.active.via_gazette", r"政府公报(?:公开)?"),
    ("legacy.active.via_press_conference", r"新闻发布会"),
    ("legacy.active.new_normative_docs", r"新增的?(?:行政)?规范性文件数"),
    ("legacy.active.service_info", r"提供服务类信息数"),
    ("legacy.consult.reading_room_visitors", r"查阅点查阅人数"),
    ("legacy.consult.reading_room_uses", r"查阅点利用件次"),
    ("legacy.consult.page_views", r"页面访问量"),
    ("legacy.consult.walk_in", r"现场接待人数"),
    ("legacy.consult.online", r"网上咨询数"),
    ("legacy.consult.phone", r"咨询电话接听数"),
    ("legacy.apps.catalogue_items", r"依申请公开信息目录数"),
    ("legacy.apps.total", r"(?:受理)?依申请公开信息总数|申请总数"),
    ("legacy.apps.in_person", r"当面申请数?"),
    ("legacy.apps.fax", r"传真申请数?"),
    ("legacy.apps.email", r"电子邮件申请数?"),
    ("legacy.apps.online", r"网上申请数?"),
    ("legacy.apps.letter", r"信函申请数?"),
    ("legacy.apps.other_channel", r"其[他它]形式申请数?"),
    ("legacy.replies.total", r"(?:对申请的)?答复(?:总)?数"),
    ("legacy.replies.granted", r"(?:同意公开|公开同意)答复数"),
    ("legacy.replies.partially_granted", r"同意部分公开答复数"),
    ("legacy.replies.denied_total", r"(?:否[决定]|不予)公开答复(?:总)?数"),
    ("legacy.review.count", r"行政复议数"),
    ("legacy.litigation.count", r"行政诉讼数"),
    ("legacy.complaint_appeal.count", r"行政申诉数"),
]
_LEGACY = [(k, p) for k, p in _LEGACY if p]

_UNIT = re.compile(r"\s*(?:条|件次|件|人次|个|次|万元|元|项|份|人)\s*")

# --- precompiled patterns --------------------------------------------------------------------


def _compile(rows):
    return [(k, re.compile(p), *rest) for k, p, *rest in rows]


_T3_ANCHORS_2019 = _compile(_T3_COMMON_HEAD + _T3_2019_TAIL + _T3_END)
_T3_ANCHORS_2021 = _compile(_T3_COMMON_HEAD + _T3_2021_TAIL + _T3_END)
_T2_ANCHORS_2021 = _compile(_T2_2021)
_T2_ANCHORS_2019 = _compile(_T2_2019)
_LEGACY_ANCHORS = _compile(_LEGACY)

_T3_START = re.compile(r"申请人情况|勾稽关系")
_T3_START_FALLBACK = re.compile(r"法人或其他组织|本年度?新收政府信息公开申请数量")
_T2_START = re.compile(r"第二十条")
_T4_START = re.compile(r"行\s*政\s*复\s*议")
_T4_HEADING = re.compile(r"因政府信息公开(?:工作)?被申请行政复议[、，,]?\s*提起行政诉讼(?:的)?情况")
_IS_2021_T3 = re.compile(r"逾期不补正|收费通知")
_IS_2021_T2 = re.compile(r"本年制发|本年废止|现行有效|收费金额")
_IS_2019_T2 = re.compile(r"新制作数量|新公开数量|上一年项目|政府集中采购")
_LEGACY_START = re.compile(r"指\s*标\s*名\s*称|计量\s*单位|主动公开信息数")
_LEGACY_CUMUL = re.compile(r"历年累计|累计")

# The value span: characters a run of cells may consist of.
_SPAN = re.compile(r"[0-9.,\s|+\-—/／空]*")
_SPAN_NO_COMMA = re.compile(r"[0-9.\s|+\-—/／空]*")
_TOKEN = re.compile(r"[+\-]?\d+(?:\.\d+)?|—+|-+|/|／|空")
_DELIM_CELL = re.compile(r"^(?:[+\-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-]?\d+(?:\.\d+)?|—+|-+|/|／|空)$")
_TRAILING_ENUM = re.compile(r"(?:^|(?<=[\s|]))?(\d{1,2})\s*[.、．]\s*$")
_ENUM_BEFORE = re.compile(
    r"(?:[（(]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]\s*、|\d\s*[.、．])[^\d|\t\n（(]{0,30}$"
)
_ENUM_TAIL_DOT = re.compile(r"\d\s*[.．、]\s*$")
_ENUM_TAIL = re.compile(r"\d\s*$")
_T4_BLOCK_WORD = re.compile(r"诉讼|起诉|结果|总计")
_PLACEHOLDER_HEADER = re.compile(r"数据\d+")
_VALUE_START = set("0123456789|\t\n-—/／空+")
_OPEN = "（("
_CLOSE = "）)"
_T4_HEADER_CHARS = set("行政复议诉讼结果维持纠正其他尚未审结总计经直接起后（）() \t\n|-:：#")

_MAX_SPLIT_STEPS = 200_000
_MAX_SOLUTIONS = 64


# --- small helpers ---------------------------------------------------------------------------


def _num(s: str) -> int | float:
    s = s.replace(",", "")
    if "." in s:
        return float(s)
    return int(s)


def _status_of(tok: str) -> tuple[int | float | None, str]:
    t = tok.strip()
    if not t:
        return None, "blank"
    if t[0].isdigit() or (len(t) > 1 and t[0] in "+-" and t[1].isdigit()):
        return _num(t), "reported"
    if t in ("/", "／"):
        return None, "slash"
    if t == "空":
        return None, "empty"
    return None, "dash"


def _cell(text: str, start: int, end: int, value=None, status=None) -> Cell:
    raw = text[start:end]
    if status is None:
        value, status = _status_of(raw)
    return Cell(value, status, start, end, raw)


@dataclass
class _Anchor:
    key: str
    start: int  # label start (including its enumerator)
    end: int  # end of the key phrase
    data: bool
    extra: tuple = ()


def _extend_back(text: str, pos: int, lo: int) -> int:
    """Move a label start back over its enumerator ("2.", "（三）", "四、") and a '|' or tab."""
    window_start = max(lo, pos - 40)
    m = _ENUM_BEFORE.search(text, window_start, pos)
    if m:
        pos = m.start()
    return pos


def _find_anchors(text: str, anchors, lo: int, hi: int) -> list[_Anchor]:
    """Locate anchors in order; of several occurrences before the next anchor, keep the last one
    that is followed by values (markdown exports repeat row labels as headings)."""
    found: list[_Anchor] = []
    pos = lo
    n = len(anchors)
    for i, (key, pat, *rest) in enumerate(anchors):
        data = rest[0] if rest and isinstance(rest[0], bool) else True
        m = pat.search(text, pos, hi)
        if not m:
            continue
        # first occurrence of a later anchor bounds the choice
        bound = hi
        for j in range(i + 1, n):
            m2 = anchors[j][1].search(text, m.end(), hi)
            if m2:
                bound = m2.start()
                break
        best = m
        if data:
            for m3 in pat.finditer(text, m.end(), bound):
                if _has_values_after(text, m3.end(), bound):
                    best = m3
            if best is m and not _has_values_after(text, m.end(), bound):
                pass
        start = _extend_back(text, best.start(), pos)
        found.append(_Anchor(key, start, best.end(), data, tuple(rest[1:]) if rest and isinstance(rest[0], bool) else tuple(rest)))
        pos = best.end()
    return found


def _skip_label(text: str, p: int, limit: int) -> int:
    """Skip the rest of a row label (incl. parentheticals and continuation lines) up to its values."""
    steps = 0
    while p < limit and steps < 400:
        steps += 1
        ch = text[p]
        if ch in _OPEN:
            q = p + 1
            depth = 1
            while q < limit and q - p < 80 and depth:
                if text[q] in _OPEN:
                    depth += 1
                elif text[q] in _CLOSE:
                    depth -= 1
                q += 1
            if depth == 0:
                p = q
                continue
            p += 1
            continue
        if ch == "\n":
            # a continuation line of the label (no value at its start) is skipped
            q = p + 1
            while q < limit and text[q] in " \t":
                q += 1
            if q < limit and text[q] not in _VALUE_START and text[q] not in _OPEN:
                p = q
                continue
            if q < limit and text[q] in _OPEN:
                p = q
                continue
            return p
        if ch in _VALUE_START:
            return p
        p += 1
    return p


def _has_values_after(text: str, p: int, limit: int) -> bool:
    p = _skip_label(text, p, min(limit, p + 300))
    m = _SPAN.match(text, p, min(limit, p + 400))
    return bool(m and any(c.isdigit() for c in m.group()))


@dataclass
class _Span:
    kind: str  # "delim" | "lines" | "flat"
    tokens: list[tuple[int, int]]  # offsets of cell texts (may be empty cells for delim)
    groups: list[tuple[int, int]]  # for flat: whitespace separated digit groups


def _value_span(text: str, p: int, limit: int, allow_comma: bool) -> tuple[int, int]:
    rx = _SPAN if allow_comma else _SPAN_NO_COMMA
    m = rx.match(text, p, limit)
    s, e = p, m.end() if m else p
    # drop a trailing enumerator that belongs to the next label: "00000002.其他" / "0\n2、"
    seg = text[s:e]
    nxt = text[e] if e < len(text) else ""
    if seg and nxt and not nxt.isdigit():
        mt = _ENUM_TAIL_DOT.search(seg) if nxt != "、" else _ENUM_TAIL.search(seg)
        if mt and (seg.rstrip().endswith((".", "．")) or nxt == "、"):
            # keep a decimal like "279.44" (digits after the dot would be in seg)
            e = s + mt.start()
    return s, e


_MD_RULE_CELL = re.compile(r"\s*:?-{3,}:?\s*$")
_MD_RULE_LINE = re.compile(r"^\s*\|?\s*:?-{3,}")


def _pipe_row_end(seg: str) -> int:
    """End of one pipe-table row inside a value span: the first line when it holds several cells,
    else (one cell per line) up to a markdown rule line."""
    lines = seg.split("\n")
    first = lines[0]
    if sum(1 for c in first.split("|")[1:] if c.strip()) >= 2:
        return len(first)
    pos = 0
    for i, line in enumerate(lines):
        if i > 0 and _MD_RULE_LINE.match(line):
            return max(0, pos - 1)
        pos += len(line) + 1
    return len(seg)


def _tokenise(text: str, s: int, e: int, split_allowed: bool, label_tail: bool = True) -> _Span:
    seg = text[s:e]
    if "\t" in seg or "|" in seg:
        sep = "\t" if "\t" in seg else "|"
        if sep == "\t":
            nl = seg.find("\n", seg.find("\t"))
            if nl >= 0:
                e = s + nl
                seg = text[s:e]
        else:
            e = s + _pipe_row_end(seg)
            seg = text[s:e]
        pieces = []
        pos = s
        for part in seg.split(sep):
            pieces.append((pos, pos + len(part)))
            pos += len(part) + 1
        # first piece is the tail of the label cell; last piece is after the final separator
        if label_tail or not text[pieces[0][0]:pieces[0][1]].strip():
            cells = pieces[1:]
        else:
            cells = pieces
        # a markdown rule ("---") ends the row (the normaliser may have joined rows: "|| 1 |")
        for i, (a, b) in enumerate(cells):
            if _MD_RULE_CELL.match(text, a, b):
                cells = cells[:i]
                break
        if sep == "|" and cells and not text[cells[-1][0]:cells[-1][1]].strip():
            cells = cells[:-1]
        out = []
        for a, b in cells:
            # strip whitespace
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            out.append((a, b))
        return _Span("delim", out, [])
    toks = [(s + m.start(), s + m.end()) for m in _TOKEN.finditer(seg)]
    inner = seg.strip()
    if "\n" in inner or not split_allowed:
        return _Span("lines", toks, [])
    groups = [(s + m.start(), s + m.end()) for m in re.finditer(r"\S+", seg)]
    return _Span("flat", toks, groups)


# --- digit-run splitting ---------------------------------------------------------------------


def _split_groups(text: str, groups: list[tuple[int, int]], ncells: int, block: int, check) -> tuple[list, bool]:
    """All ways to cut the digit groups into ``ncells`` numbers (no leading zeros, a group is never
    joined with the next), such that ``check`` holds for every complete block of ``block`` numbers.
    Returns (solutions as lists of (start, end)), truncated flag)."""
    digits = []
    for a, b in groups:
        g = text[a:b]
        if not re.fullmatch(r"\d+(?:\.\d+)?", g):
            return [], False
        digits.append((a, b))
    total_len = sum(b - a for a, b in digits)
    if total_len < ncells or total_len > ncells * 12:
        return [], False
    sols: list = []
    steps = [0]
    truncated = [False]
    cur: list[tuple[int, int]] = []

    def rec(gi: int, off: int):
        if truncated[0]:
            return
        steps[0] += 1
        if steps[0] > _MAX_SPLIT_STEPS or len(sols) >= _MAX_SOLUTIONS:
            truncated[0] = True
            return
        if gi == len(digits):
            if len(cur) == ncells:
                sols.append(list(cur))
            return
        a, b = digits[gi]
        start = a + off
        remaining_digits = (b - start) + sum(y - x for x, y in digits[gi + 1:])
        if len(cur) >= ncells or remaining_digits < ncells - len(cur):
            return
        for end in range(start + 1, b + 1):
            piece = text[start:end]
            if len(piece) > 1 and piece[0] == "0" and piece[1] != ".":
                break
            if piece.endswith(".") or (end < b and text[end] == "."):
                continue
            if "." in piece and end < b and text[end].isdigit() and False:
                continue
            cur.append((start, end))
            ok = True
            if len(cur) % block == 0:
                vals = [_num(text[x:y]) for x, y in cur[-block:]]
                ok = check(vals)
            if ok:
                if end == b:
                    rec(gi + 1, 0)
                else:
                    rec(gi, end - a)
            cur.pop()

    rec(0, 0)
    return sols, truncated[0]


def _sum_check(vals) -> bool:
    return sum(vals[:-1]) == vals[-1]


def _any(vals) -> bool:
    return True


# --- reading one row ------------------------------------------------------------------------


@dataclass
class _RowRead:
    cells: list[Cell | None]  # one per column (None = unknown / not present)
    candidates: list[list[Cell]] | None = None  # several valid splits
    note: str | None = None


def _read_row(text: str, label_end: int, limit: int, ncols: int, split_allowed: bool, must_sum: bool,
              label: str, allow_comma: bool = False) -> _RowRead:
    p = _skip_label(text, label_end, limit)
    s, e = _value_span(text, p, limit, allow_comma)
    span = _tokenise(text, s, e, split_allowed)
    if span.kind == "delim":
        toks = span.tokens
        # trim trailing empty placeholder cells
        while len(toks) > ncols and toks and toks[-1][0] == toks[-1][1]:
            toks = toks[:-1]
        while len(toks) > ncols and toks and toks[0][0] == toks[0][1]:
            toks = toks[1:]
        if "\t" in text[s:e] and 0 < len(toks) < ncols and toks[-1][0] != toks[-1][1]:
            # trailing empty cells of a tab row lose their tabs when line ends are trimmed
            end = toks[-1][1]
            toks = toks + [(end, end)] * (ncols - len(toks))
        bad = [t for t in toks if t[0] != t[1] and not _DELIM_CELL.match(text[t[0]:t[1]])]
        if len(toks) == ncols and not bad:
            return _RowRead([_cell(text, a, b) for a, b in toks])
        nonempty = [t for t in toks if t[0] != t[1]]
        if not nonempty:
            return _RowRead([None] * ncols, note=f"{label}: no values found")
        if len(toks) > ncols:
            return _RowRead([None] * ncols, note=f"{label}: {len(toks)} cells where {ncols} expected; row not read")
        return _dropped(text, nonempty, ncols, must_sum, label)
    toks = span.tokens
    if not toks:
        return _RowRead([None] * ncols, note=None)
    if len(toks) == ncols and (span.kind == "lines" or len(span.groups) == ncols):
        return _RowRead([_cell(text, a, b) for a, b in toks])
    if span.kind == "flat" and len(span.groups) < ncols:
        check = _sum_check if must_sum else _any
        sols, truncated = _split_groups(text, span.groups, ncols, ncols, check)
        if not sols and must_sum:
            sols2, truncated2 = _split_groups(text, span.groups, ncols, ncols, _any)
            if len(sols2) == 1 and not truncated2:
                return _RowRead([_cell(text, a, b) for a, b in sols2[0]],
                                note=f"{label}: digits '{text[s:e].strip()}' split into {ncols} cells that do not sum (source inconsistency)")
            sols, truncated = sols2, truncated2
            if sols:
                return _ambiguous(text, sols, ncols, label, text[s:e].strip(), truncated, consistent=False)
        if len(sols) == 1 and not truncated:
            return _RowRead([_cell(text, a, b) for a, b in sols[0]])
        if sols:
            return _ambiguous(text, sols, ncols, label, text[s:e].strip(), truncated)
        if len(toks) < ncols:
            return _dropped(text, toks, ncols, must_sum, label)
        return _RowRead([None] * ncols, note=f"{label}: digits '{text[s:e].strip()}' cannot be split into {ncols} cells")
    if len(toks) < ncols:
        return _dropped(text, toks, ncols, must_sum, label)
    if must_sum and span.kind == "lines" and len(toks) <= ncols + 3:
        merged = _merge_tokens(text, toks, ncols)
        if len(merged) == 1:
            cells = [Cell(_num("".join(text[a:b] for a, b in run)), "reported", run[0][0], run[-1][1],
                          text[run[0][0]:run[-1][1]]) for run in merged[0]]
            return _RowRead(cells, note=f"{label}: {len(toks)} values where {ncols} expected; numbers broken "
                                         f"across lines rejoined so that the row sums")
    return _RowRead([None] * ncols, note=f"{label}: {len(toks)} values where {ncols} expected; row not read")


def _merge_tokens(text: str, toks: list[tuple[int, int]], ncols: int) -> list:
    """Ways to rejoin adjacent numeric tokens ("1" "62" -> 162) into ncols numbers that satisfy C3."""
    if not all(text[a:b].isdigit() for a, b in toks):
        return []
    n = len(toks)
    sols = []

    def rec(i: int, runs: list):
        if len(sols) > 1:
            return
        if len(runs) == ncols:
            if i == n:
                vals = [int("".join(text[a:b] for a, b in run)) for run in runs]
                if sum(vals[:-1]) == vals[-1] and all(len(r) == 1 or text[r[0][0]] != "0" for r in runs):
                    sols.append([list(r) for r in runs])
            return
        for j in range(i + 1, n + 1):
            runs.append(toks[i:j])
            rec(j, runs)
            runs.pop()

    rec(0, [])
    return sols


def _ambiguous(text, sols, ncols, label, digits, truncated, consistent=True) -> _RowRead:
    cells: list[Cell | None] = []
    for c in range(ncols):
        spans = {tuple(sol[c]) for sol in sols}
        if len(spans) == 1:
            a, b = sols[0][c]
            cells.append(_cell(text, a, b))
        else:
            a = min(x for x, _ in spans)
            b = max(y for _, y in spans)
            cells.append(Cell(None, "ambiguous", a, b, text[a:b]))
    more = " or more" if truncated else ""
    why = "" if consistent else " (none sums to the total)"
    note = (f"{label}: {len(digits.replace(' ', ''))} digits '{digits}' can be split into {ncols} cells "
            f"in {len(sols)}{more} ways{why}; cells marked ambiguous")
    cands = None
    if not truncated and consistent and len(sols) <= _MAX_SOLUTIONS:
        cands = [[_cell(text, a, b) for a, b in sol] for sol in sols]
    return _RowRead(cells, candidates=cands, note=note)


def _dropped(text, toks, ncols, must_sum, label) -> _RowRead:
    """Fewer values than columns: empty cells were dropped. Fill only what is certain."""
    cells: list[Cell | None] = [None] * ncols
    vals = [_status_of(text[a:b]) for a, b in toks]
    nums = [v for v, st in vals if st == "reported"]
    note = f"{label}: only {len(toks)} of {ncols} cells present (empty cells dropped); columns unrecoverable"
    if ncols == 1:
        return _RowRead(cells, note=f"{label}: no value")
    if must_sum and len(nums) == len(vals) and nums:
        total = nums[-1]
        # The last value is the 总计 when the others sum to it, or exceed it no more than a dropped cell
        # would explain: "287 24 2 0 1 315" keeps 315; with the 总计 dropped, "287 24 2 0 1 3" would not.
        if total >= sum(nums[:-1]):
            a, b = toks[-1]
            cells[-1] = _cell(text, a, b)
            if sum(nums[:-1]) != total:
                note += f"; the present values sum to {sum(nums[:-1]):g}, not to 总计 {total:g}"
            if total == 0:
                for c in range(ncols - 1):
                    cells[c] = Cell(0, "derived", a, b, text[a:b])
                note += "; 总计 is 0 so every column is 0"
            else:
                note += "; only 总计 kept"
    return _RowRead(cells, note=note)


# --- table 3 ---------------------------------------------------------------------------------


def _t3(text: str, res: TableResult, lo: int, hi: int) -> tuple[int, str | None]:
    m = _T3_START.search(text, lo, hi) or _T3_START_FALLBACK.search(text, lo, hi)
    if not m:
        return -1, None
    start = m.start()
    # region end guess: the table-4 header after the 结转下年 row
    fmt = "2021" if _IS_2021_T3.search(text, start, min(hi, start + 20000)) else "2019"
    definitions = _T3_ANCHORS_2021 if fmt == "2021" else _T3_ANCHORS_2019
    anchors = _find_anchors(text, definitions, start, hi)
    data = [a for a in anchors if a.data]
    if not data:
        return -1, None
    region_end = data[-1].end + 400
    split_allowed = text.count("\n", start, min(region_end, hi)) < 12
    rows: dict[str, _RowRead] = {}
    end_pos = start
    tab_table = text.count("\t", start, min(region_end, hi)) >= 40
    for i, a in enumerate(anchors):
        if not a.data:
            continue
        limit = anchors[i + 1].start if i + 1 < len(anchors) else min(hi, a.end + 400)
        rr = _read_row(text, a.end, limit, 7, split_allowed, True, f"t3 row {a.key}")
        if tab_table and all(c is None for c in rr.cells) and not rr.candidates:
            # a tab-row table whose row lost all its (empty) cells with the line-end tabs
            line_end = text.find("\n", a.end, limit)
            line_end = limit if line_end < 0 else line_end
            if not any(ch.isdigit() for ch in text[a.end:line_end]):
                rr = _RowRead([Cell(None, "blank", line_end, line_end, "") for _ in range(7)])
        rows[a.key] = rr
        if rr.note:
            res.notes.append(rr.note)
        for c in rr.cells:
            if c is not None:
                end_pos = max(end_pos, c.end)
    _read_split_labels(text, rows, anchors, {key: pattern for key, pattern, *_ in definitions}, res)
    _fill_in_template_order(text, rows, anchors, t3_rows(fmt), res)
    missing = [k for k in t3_rows(fmt) if k not in rows]
    if missing:
        res.notes.append(f"t3: rows not found: {', '.join(missing)}")
    _t3_settle(rows, res)
    for key, rr in rows.items():
        for col, c in zip(T3_COLUMNS, rr.cells):
            if c is not None:
                res.cells[f"t3.{key}.{col}"] = c
    return max(end_pos, data[-1].end), fmt


# A pipe row ending in seven values, after at most one label cell / after label cells that hold no digit.
_PIPE_VALUES_ROW = re.compile(r"^\|(?:[^|\n\d]*\|)?(?P<values>(?:\s*\d+\s*\|){7})\s*$", re.M)
_PIPE_LABELLED_ROW = re.compile(r"^\|(?:[^|\n\d]*\|)+?(?P<values>(?:\s*\d+\s*\|){7})\s*$", re.M)


def _values_of(text: str, match: re.Match, key: str) -> _RowRead:
    # read from the cell rule before the first value, as after a label
    return _read_row(text, match.start("values") - 1, match.end("values"), 7, False, True, f"t3 row {key}")


def _read_split_labels(text: str, rows: dict[str, _RowRead], anchors: list[_Anchor], patterns: dict[str, re.Pattern],
                       res: TableResult) -> None:
    """Rows found without values because their label spans cells: "| 缴纳费用、 | 行政机关不再处理其政 | 0 | 0 |…"."""
    where = {a.key: a for a in anchors}
    for key, row in rows.items():
        if key not in where or row.candidates or any(c is not None for c in row.cells):
            continue
        later = [a.start for a in anchors if a.start > where[key].start]
        lo, hi = text.rfind("\n", 0, where[key].start) + 1, min(later, default=len(text))
        labelled = next((m for m in _PIPE_LABELLED_ROW.finditer(text, lo, hi)
                         if patterns[key].search(text, m.start(), m.start("values"))), None)
        if labelled:
            res.notes = [n for n in res.notes if not n.startswith(f"t3 row {key}:")]
            rows[key] = _values_of(text, labelled, key)
            res.notes.append(f"t3 row {key}: values after a label split over cells")


def _fill_in_template_order(text: str, rows: dict[str, _RowRead], anchors: list[_Anchor], order: list[str],
                            res: TableResult) -> None:
    """Rows whose labels a PDF export tore away (``| 0 | 0 | 0 | 0 | 0 | 0 | 0 |`` under the previous row, the label
    lines elsewhere): between two rows that were found, as many unlabeled seven-value pipe rows as rows are
    missing there are those rows, in the template's order. Anything else is left missing."""
    where = {a.key: a for a in anchors}
    found = [k for k in order if k in rows]
    for before, after in zip(found, found[1:]):
        gap = order[order.index(before) + 1:order.index(after)]
        cells_before = [c for c in rows[before].cells if c is not None]
        if not gap or not cells_before:
            continue
        unlabeled = list(_PIPE_VALUES_ROW.finditer(text, max(c.end for c in cells_before), where[after].start))
        if len(unlabeled) != len(gap):
            continue
        for key, match in zip(gap, unlabeled):
            rows[key] = _values_of(text, match, key)
        res.notes.append(f"t3: rows {', '.join(gap)} read in template order (their labels are elsewhere)")


def _t3_settle(rows: dict[str, _RowRead], res: TableResult) -> None:
    """Settle ambiguous splits with the column constraints C1 and C2."""
    amb = [k for k, r in rows.items() if r.candidates]
    if not amb:
        return
    size = 1
    for k in amb:
        size *= len(rows[k].candidates)
    if size > 20000:
        res.notes.append("t3: too many ambiguous combinations to settle by column sums")
        return
    result_keys = [k for k in rows if k.startswith("result.") and k != "result.total"]
    if "result.other_total" not in rows:
        result_keys = [k for k in result_keys if k != "result.other_total"]

    def col_vals(assign, key):
        if key in assign:
            return [c.value for c in assign[key]]
        return [c.value if c is not None else None for c in rows[key].cells]

    good = []
    for combo in product(*(rows[k].candidates for k in amb)):
        assign = dict(zip(amb, combo))
        ok = True
        for c in range(7):
            parts = [col_vals(assign, k)[c] for k in result_keys]
            total = col_vals(assign, "result.total")[c] if "result.total" in rows else None
            if total is not None and all(isinstance(v, (int, float)) for v in parts) and sum(parts) != total:
                ok = False
                break
            keys = ("new_received", "carried_over_in", "result.total", "carried_forward_out")
            if all(k in rows for k in keys):
                v = [col_vals(assign, k)[c] for k in keys]
                if all(isinstance(x, (int, float)) for x in v) and v[0] + v[1] != v[2] + v[3]:
                    ok = False
                    break
        if ok:
            good.append(assign)
    if len(good) == 1:
        for k, cells in good[0].items():
            rows[k].cells = list(cells)
            rows[k].candidates = None
            res.notes.append(f"t3 row {k}: ambiguous split settled by the column sums (C1/C2)")


# --- table 2 ---------------------------------------------------------------------------------


def _t2(text: str, res: TableResult, lo: int, hi: int) -> str | None:
    m = _T2_START.search(text, lo, hi)
    if not m:
        return None
    start = m.start()
    head = text[start:hi]
    if _IS_2021_T2.search(head):
        fmt, anchors_def = "2021", _T2_ANCHORS_2021
    elif _IS_2019_T2.search(head):
        fmt, anchors_def = "2019", _T2_ANCHORS_2019
    else:
        return None
    # T2 labels are distinct, so each row is searched on its own (PDF exports move rows around)
    anchors = []
    for key, pat, cols in anchors_def:
        first = None
        chosen = None
        for m2 in pat.finditer(text, start, hi):
            if first is None:
                first = m2
            if _has_values_after(text, m2.end(), min(hi, m2.end() + 200)):
                chosen = m2
                break
        m2 = chosen or first
        if m2 is None:
            continue
        anchors.append(_Anchor(key, _extend_back(text, m2.start(), start), m2.end(), True, (cols,)))
    anchors.sort(key=lambda a: a.start)
    # "行政规范性文件" contains "规范性文件"; "规章" may sit inside another label: drop overlaps
    anchors = [a for i, a in enumerate(anchors) if not (i and a.start < anchors[i - 1].end)]
    split_allowed = text.count("\n", start, hi) < 8
    for i, a in enumerate(anchors):
        cols = a.extra[0] if a.extra else ()
        limit = anchors[i + 1].start if i + 1 < len(anchors) else hi
        # stop at the next sub-table caption
        cap = _T2_START.search(text, a.end, limit)
        if cap:
            limit = cap.start()
        rr = _read_row(text, a.end, limit, len(cols), split_allowed, False, f"t2 row {a.key}",
                       allow_comma=not split_allowed)
        if rr.note:
            res.notes.append(rr.note)
        for col, c in zip(cols, rr.cells):
            if c is not None:
                if a.key == "gov_procurement" and col == "total_amount" and c.status == "reported":
                    # amount keeps its unit free text in the evidence; value in the unit written
                    pass
                res.cells[f"t2.{a.key}.{col}"] = c
    return fmt


# --- table 4 ---------------------------------------------------------------------------------


def _t4(text: str, res: TableResult, lo: int, hi: int) -> None:
    m = _T4_START.search(text, lo, min(hi, lo + 3000))
    if not m:
        return
    p = m.start()
    limit = min(hi, p + 1500)
    # skip header words (any order, split per character, markdown rules and placeholder headers)
    while p < limit:
        ch = text[p]
        if ch in _T4_HEADER_CHARS:
            p += 1
            continue
        ph = _PLACEHOLDER_HEADER.match(text, p)
        if ph:
            p = ph.end()
            continue
        if ch.isdigit() or ch in "—/空":
            break
        # any other header text (e.g. "注：…" lines, headings) is skipped up to the line end
        p += 1
    # gather up to 15 cells across lines / markdown rows; between the three blocks only header
    # text (markdown headings "### 行政诉讼（复议后起诉）", header rows, rules) may stand
    cells: list[tuple[int, int]] = []
    flat_groups: list[tuple[int, int]] = []
    q = p
    kinds = set()
    while q < limit and len(cells) < 15:
        s, e = _value_span(text, q, limit, False)
        if e <= s or not any(ch.isdigit() or ch in "—/空-" for ch in text[s:e]):
            break
        span = _tokenise(text, s, e, "\n" not in text[s:e].strip(), label_tail=False)
        kinds.add(span.kind)
        cells.extend(span.tokens)
        flat_groups.extend(span.groups)
        r = e
        while r < limit and r - e < 300:
            ph = _PLACEHOLDER_HEADER.match(text, r)
            if ph:
                r = ph.end()
                continue
            if text[r] in _T4_HEADER_CHARS:
                r += 1
                continue
            break
        if r >= limit or not (text[r].isdigit() or text[r] in "—/空"):
            break
        if r - e > 0 and not _T4_BLOCK_WORD.search(text, e, r) and "\n" in text[e:r] and "|" not in text[e:r]:
            break
        q = r
    if "delim" in kinds:
        while len(cells) > 15 and cells[-1][0] == cells[-1][1]:
            cells.pop()
        if 0 < len(cells) < 15 and "\t" in text[cells[0][0]:cells[-1][1]] and not flat_groups:
            end = cells[-1][1]  # trailing empty cells of a tab row (line-end tabs trimmed)
            cells = cells + [(end, end)] * (15 - len(cells))
    keys = [f"t4.{b}.{c}" for b in T4_BLOCKS for c in T4_COLUMNS]
    if len(cells) == 15 and ("flat" not in kinds or len(flat_groups) >= 15 or len(flat_groups) == 0):
        for k, (a, b) in zip(keys, cells):
            res.cells[k] = _cell(text, a, b)
        return
    if flat_groups and len(flat_groups) < 15:
        sols, truncated = _split_groups(text, flat_groups, 15, 5, _sum_check)
        if len(sols) == 1 and not truncated:
            for k, (a, b) in zip(keys, sols[0]):
                res.cells[k] = _cell(text, a, b)
            return
        if sols:
            rr = _ambiguous(text, sols, 15, "t4", " ".join(text[a:b] for a, b in flat_groups), truncated)
            for k, c in zip(keys, rr.cells):
                res.cells[k] = c
            res.notes.append(rr.note)
            return
    if cells:
        res.notes.append(f"t4: {len(cells)} values where 15 expected (empty cells dropped?); table 4 not read")


# --- old 附表 ---------------------------------------------------------------------------------


def _legacy(text: str, res: TableResult) -> bool:
    m = _LEGACY_START.search(text)
    if not m:
        return False
    # the annex is the last occurrence region; prefer a 指标名称 header
    start = m.start()
    for mm in _LEGACY_START.finditer(text):
        if "指" in mm.group() and text.find("主动公开", mm.end(), mm.end() + 200) >= 0:
            start = mm.start()
    header = text[start:start + 200]
    two_cols = bool(_LEGACY_CUMUL.search(header))
    hi = len(text)
    split_allowed = text.count("\n", start, min(hi, start + 3000)) < 10
    pos = start
    anchors: list[_Anchor] = []
    annex_end = min(hi, start + 4000)
    for key, pat in _LEGACY_ANCHORS:
        # rows are searched independently (local templates order them differently)
        mm = pat.search(text, pos, annex_end)
        if not mm:
            continue
        anchors.append(_Anchor(key, _extend_back(text, mm.start(), pos), mm.end(), True))
    anchors.sort(key=lambda a: (a.start, -a.end))
    kept: list[_Anchor] = []
    for a in anchors:
        if kept and a.start < kept[-1].end:
            continue
        kept.append(a)
    anchors = kept
    ncols = 2 if two_cols else 1
    read: dict[str, Cell] = {}
    for i, a in enumerate(anchors):
        limit = anchors[i + 1].start if i + 1 < len(anchors) else min(hi, a.end + 60)
        p = a.end
        # skip label rest and unit
        p = _skip_label_legacy(text, p, limit)
        s, e = _value_span(text, p, limit, False)
        span = _tokenise(text, s, e, split_allowed)
        toks = span.tokens
        if span.kind == "delim":
            toks = [t for t in toks if t[0] != t[1]] if len(toks) > ncols else toks
        cells: list[Cell | None] = [None] * ncols
        if len(toks) == ncols and (span.kind != "flat" or len(span.groups) == ncols):
            cells = [_cell(text, x, y) for x, y in toks]
        elif span.kind == "flat" and span.groups and len(span.groups) < ncols:
            check = (lambda v: v[1] >= v[0]) if ncols == 2 else _any
            sols, tr = _split_groups(text, span.groups, ncols, ncols, check)
            if len(sols) == 1 and not tr:
                cells = [_cell(text, x, y) for x, y in sols[0]]
            elif sols:
                rr = _ambiguous(text, sols, ncols, f"legacy row {a.key}", text[s:e].strip(), tr)
                cells = rr.cells
                res.notes.append(rr.note)
        elif toks and len(toks) < ncols:
            cells[0] = _cell(text, *toks[0])
            res.notes.append(f"legacy row {a.key}: only {len(toks)} of {ncols} values; read as the current-year value")
        elif len(toks) > ncols:
            cells = [_cell(text, x, y) for x, y in toks[:ncols]]
            res.notes.append(f"legacy row {a.key}: {len(toks)} values where {ncols} expected; first {ncols} kept")
        if any(c is not None and text.startswith(("年", "月", "日"), c.end) for c in cells):
            continue  # "主动公开信息数量\n2016年1月1日至…": a date in prose, not a cell
        for j, c in enumerate(cells):
            if c is None:
                continue
            read[a.key + (".cumulative" if j == 1 else "")] = c
    rows = {key.removesuffix(".cumulative") for key in read}
    if len(rows) < 2:
        # One row is a sentence that names the indicator ("2014年度主动公开信息数6条"), not an annex.
        return False
    res.cells.update(read)
    return True


def _skip_label_legacy(text: str, p: int, limit: int) -> int:
    p = _skip_label(text, p, limit)
    # a unit may stand between label and values ("条", "人次"), possibly on its own line
    steps = 0
    while p < limit and steps < 6:
        steps += 1
        while p < limit and text[p] in " \t\n|":
            p += 1
        mu = _UNIT.match(text, p, limit)
        if mu and mu.end() > p:
            p = mu.end()
            continue
        break
    return p


# --- entry point -----------------------------------------------------------------------------


def parse_tables(text: str) -> TableResult:
    """Parse tables 2, 3, 4 (2019/2021 templates) or the old 附表 from normalised report text."""
    res = TableResult(format=None)
    hi = len(text)
    t3_start_m = _T3_START.search(text) or _T3_START_FALLBACK.search(text)
    t2_hi = t3_start_m.start() if t3_start_m else hi
    t2_fmt = _t2(text, res, 0, t2_hi)
    t3_end, t3_fmt = _t3(text, res, 0, hi)
    if t3_fmt and not t2_fmt:
        rows_read = {k.rsplit(".", 1)[0] for k in res.cells if k.startswith("t3.")}
        if len(rows_read) < 3:  # a stray "申请人情况" in an old-format report
            for k in [k for k in res.cells if k.startswith("t3.")]:
                del res.cells[k]
            res.notes = [n for n in res.notes if not n.startswith("t3")]
            t3_end, t3_fmt = -1, None
    if t3_end >= 0:
        _t4(text, res, t3_end, hi)
    else:
        # A page or excerpt that starts after table 3 may still hold table 4 under its heading.
        heading = _T4_HEADING.search(text)
        if heading:
            notes = list(res.notes)
            _t4(text, res, heading.end(), hi)
            if not any(k.startswith("t4.") for k in res.cells):
                res.notes = notes  # prose under an old-format heading, not a table
    fmt = t3_fmt or t2_fmt
    if t2_fmt and t3_fmt and t2_fmt != t3_fmt:
        res.notes.append(f"table 2 follows the {t2_fmt} template, table 3 the {t3_fmt} template")
    if fmt is None:
        if _legacy(text, res):
            fmt = "pre2019"
    res.format = fmt
    return res
