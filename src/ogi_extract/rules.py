"""Rule-based finders for the four labels and for COUNT indicators: the baseline and the pre-annotator.

Each finder works on the normalised text and returns character spans; the spaCy components in
``components.py`` turn them into entities and span groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import CN_DIGITS
from .sections import Section, find_sections

CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class CharSpan:
    start: int
    end: int
    label: str


# --- AGENCY ------------------------------------------------------------------------------------------

_PLACE = rf"(?:[{CJK}]{{1,8}}?(?:省|市|县|区|州|盟|旗|镇|乡|街道|自治区|自治州|实验区|新区))"
_ORGAN_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公厅|政府办公室|管理委员会|管委会办公室|管委会|办事处|联合会|委员会|"
    r"公安局|分局|局|厅|委|署|办公室|办|馆|中心|残联|法院|检察院|政府)"
)
_AGENCY = re.compile(
    rf"(?:国务院(?:办公厅|[{CJK}]{{2,8}}?(?:部|委员会|局|署))?|中华人民共和国[{CJK}]{{2,8}}?部|"
    rf"{_PLACE}{{1,3}}?[{CJK}]{{0,12}}?{_ORGAN_SUFFIX}|"
    rf"(?<![{CJK}])(?:省|市|县|区|镇|乡)[{CJK}]{{1,8}}?(?:局|委|办|馆|残联|政府|管委会|中心))"
)
_AGENCY_LEFT_NOISE = re.compile(
    r"^(?:根据|按照|依据|经过|经|向|由|在|与|对|将|和|及|为|是|了|请|于|从|配合|组织|会同|联合|报送|通过|关于|印发|转发|"
    r"落实|贯彻|全|各|本|我|该|其|即|共|等|以|把|被|给|同|并|有|没有|加强|召开|参加|接受|协调|争取|印|转|发|设立|成立|召集|"
    r"形成|现就|紧抓|制|告|公开|积极|部署|在|现|就|抓|做好|推动|督促|要求|报|送|交|请示|批准|指导|牵头)+"
)
_NOT_AGENCY = re.compile(
    r"^(?:我|本|该|全)|门户网站$|网站$|平台$|专栏$|报$|电视台$|公众号$|信息公开办$|^(?:省|市|县|区|镇|乡)(?:政府|委|办)$"
)
_BAD_INSIDE = re.compile(r"[，。；：、“”《》（）()\s\d]|工作|公开|信息|以及|并且|同时|要求|年度")


_STOP_CHARS = set("号的从以向在由和与及对于为时报了请经各本我该其即共等把被给同并是到过照据结填限规定月年日完编送交按组织展、，。；：")


def _last_stop_char(name: str) -> int:
    """Index after the last character that cannot belong to a place or organ name."""
    place_end = re.search(r"省|市|县|区|州|镇|乡|国务院|中华人民共和国", name)
    head = name[: place_end.start()] if place_end else ""
    cut = 0
    for i, ch in enumerate(head):
        if ch in _STOP_CHARS:
            cut = i + 1
    return cut


_NAME_START_FLAGS = {"ns", "nt", "j", "nr", "nrt", "nrfg", "nz"}
_LEVEL_WORDS = {"省", "市", "县", "区", "镇", "乡", "国家", "中央", "国务院"}
_NAME_BREAK_FLAGS = {"p", "v", "c", "d", "ad", "u", "r", "m", "q", "f", "vn"}
_ORGAN_END = re.compile(r"(?:局|委|办|厅|署|院|会|中心|室|所|站|处|政府|馆|联|部|团|队|庭)$")
_NOT_NAME_WORDS = {"印发", "标题", "联系", "查阅", "欢迎", "访问", "致电", "公布", "制", "度", "年", "发布"}


def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def tidy_agency(name: str) -> tuple[int, int] | None:
    """Trim words around an agency-like match with jieba's part-of-speech tags: leading verbs and
    particles ("查阅", "印发", "度"), and anything after the organ word ("…局在市委市政府")."""
    tokens = [(w.word, w.flag) for w in _posseg().lcut(name)]
    position, start = 0, None
    spans = []
    for word, flag in tokens:
        spans.append((position, position + len(word), word, flag))
        position += len(word)
    for index, (s, e, word, flag) in enumerate(spans):
        if word in _NOT_NAME_WORDS:
            continue
        if flag in _NAME_START_FLAGS or word in _LEVEL_WORDS or re.search(r"(?:省|市|县|区|镇|乡|街道|州)$", word) or (
                flag.startswith("n") and _ORGAN_END.search(word)):
            start = index
            break
    if start is None:
        return None
    # A one-character place name before its level word: "道县" is split as 道/县.
    if start > 0 and spans[start][2] in ("县", "市", "区", "省", "州") and len(spans[start - 1][2]) == 1 \
            and spans[start - 1][2] not in _STOP_CHARS and spans[start - 1][3] not in ("p", "v", "c", "u", "r", "m"):
        start -= 1
    end = None
    for s, e, word, flag in spans[start:]:
        if end is not None and (flag in _NAME_BREAK_FLAGS or word in _NOT_NAME_WORDS) and not _ORGAN_END.search(word):
            break
        if _ORGAN_END.search(name[spans[start][0]:e]):
            end = e
    if end is None:
        return None
    return spans[start][0], end


_PLACE_END = re.compile(r"(?:省|市|县|区|州|盟|旗|镇|乡|地区|街道)$")
_LEVEL_START = "省市县区州镇乡"
_DEICTIC = set("我本该全各")


_LEVEL_WORD_START = re.compile(r"^(?:省|市|县|区|州|旗|镇|乡|街道)")


def _run_before(text: str, start: int, reach: int) -> int:
    """Start of the run of name characters (CJK, no stop character) that ends at ``start``."""
    begin = start
    while begin > 0 and start - begin < reach and "\u4e00" <= text[begin - 1] <= "\u9fff" and text[begin - 1] not in _STOP_CHARS:
        begin -= 1
    return begin


def place_before(text: str, start: int, end: int, reach: int = 10) -> int:
    """Where an agency name begins when a model started it after (part of) its place name: "攀枝花市|审计局",
    "大兴安岭地区|气象局" (a place name before it), "沐阳|县人民政府", "经纬|街道办事处" (the rest of the place
    name before a level word). ``start`` when nothing of a name is written right before it."""
    name = text[start:end]
    if name[:1] in _LEVEL_START and not _LEVEL_WORD_START.match(name):
        return start
    after_place = bool(_PLACE_END.search(text[max(0, start - 3):start])) and not _LEVEL_WORD_START.match(name)
    if not after_place and not _LEVEL_WORD_START.match(name):
        return start
    begin = _run_before(text, start, reach if after_place else 6)
    if begin == start or (begin > 0 and text[begin - 1] in _DEICTIC):
        return start  # 我区东华门街道办事处: 我区 is "our district", not a name
    cut = tidy_agency(text[begin:end])
    if cut is None or cut[1] != end - begin:
        return start
    widened = begin + cut[0]
    added = text[widened:start]
    if widened >= start or _DEICTIC.intersection(added):
        return start
    if after_place:
        return widened if _PLACE_END.search(added) else start
    # Before a level word, one character is a name only for a county (道县); "结合区残联" is not 合区.
    return widened if len(added) > 1 or name.startswith("县") else start


_NOT_IN_NAME = re.compile(r"[，。；：、《》（）(),;:!?！？\d]")
_LONGEST_NAME = 30  # the longest gold AGENCY span has 26 characters


def name_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A predicted agency name made plausible, or None: cut before punctuation or digits (gold names never
    hold them; "市政府信息公开办报备。" → "市政府信息公开办", keeping the longest part that ends with an organ
    word), dropped when longer than any name, then widened over the place name before it (place_before)."""
    name = text[start:end]
    bad = _NOT_IN_NAME.search(name)
    if bad:
        head = name[:bad.start()]
        keep = max((i for i in range(2, len(head) + 1) if _ORGAN_END.search(head[:i])), default=None)
        if keep is None:
            return None
        end = start + keep
    if end - start > _LONGEST_NAME:
        return None
    return place_before(text, start, end), end


_LIST_CHAR = r"[^、，,。；;：:（）()《》“”\s\d]"
_LIST_ITEM = re.compile(_LIST_CHAR + "{2,12}")
_GENERIC_VENUES = {"档案馆", "图书馆"}  # decision 14: "档案馆、图书馆等场所" is generic


def _item_before(text: str, pos: int) -> tuple[int, int] | None:
    """The 、-list item that ends right before the 、 at ``pos - 1``."""
    if pos == 0 or text[pos - 1] != "、":
        return None
    end = pos - 1
    begin = end
    while begin > 0 and end - begin < 12 and re.fullmatch(_LIST_CHAR, text[begin - 1]):
        begin -= 1
    return (begin, end) if end - begin >= 2 else None


def _item_after(text: str, pos: int) -> tuple[int, int] | None:
    if text[pos:pos + 1] != "、":
        return None
    match = _LIST_ITEM.match(text, pos + 1)
    return match.span() if match else None


def _member_name(text: str, item: tuple[int, int]) -> tuple[int, int] | None:
    """The agency name a list item holds, or None. An item between two 、 is whole ("交通与建设局"); the
    first and the last item of a list may carry words of the sentence ("成员由县政府办" → 县政府办)."""
    name = text[item[0]:item[1]]
    between = text[item[0] - 1:item[0]] == "、" and text[item[1]:item[1] + 1] == "、"
    if not between:
        cut = tidy_agency(name)
        if cut is None or cut[1] != len(name):
            return None
        if cut[0] > 0 and len(name) - cut[0] >= 2:  # "发改局" stays whole: jieba reads 发改 as a verb
            if _DEICTIC.intersection(name[:cut[0]]):
                return None  # "加强了各级政务服务中心": all levels' centres, not one body
            item = (item[0] + cut[0], item[1])
            name = text[item[0]:item[1]]
    generic_venue = name.endswith(tuple(_GENERIC_VENUES)) and not re.search(r"[省市县区乡镇州]", name)
    if (not _ORGAN_END.search(name) or _DEICTIC.intersection(name) or generic_venue
            or re.search(r"网站$|网$", name) or (name.endswith("政府") and not re.search(r"[省市县区乡镇州]", name))):
        return None
    return item


def list_neighbours(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Other members of a 、-list that holds the agency text[start:end] and that read as agency names
    themselves ("成员由县政府办、法制办、监察局、发改局…": 监察局, 发改局): a name ending with an organ word,
    not an adjective + 政府 (透明政府), not a generic venue, not 各…."""
    found = []
    for step in (_item_before, _item_after):
        pos = start if step is _item_before else end
        while (item := step(text, pos)) is not None:
            member = _member_name(text, item)
            if member is not None:
                found.append(member)
            pos = item[0] if step is _item_before else item[1]
    return found


def find_agencies(text: str) -> list[CharSpan]:
    spans: list[CharSpan] = []
    for match in _AGENCY.finditer(text):
        start, end = match.span()
        name = match.group()
        noise = _AGENCY_LEFT_NOISE.match(name)
        if noise:
            start += noise.end()
            name = text[start:end]
        cut = _last_stop_char(name)
        if cut:
            start += cut
            name = text[start:end]
        tidy = tidy_agency(name)
        if tidy is None:
            continue
        start, end = start + tidy[0], start + tidy[1]
        name = text[start:end]
        if len(name) < 3 or _NOT_AGENCY.search(name) or _BAD_INSIDE.search(name):
            continue
        spans.append(CharSpan(start, end, "AGENCY"))
    return spans


# --- COUNT ----------------------------------------------------------------------------------------------

_UNITS = (
    r"(?:万元|亿元|元|人次|余条|余件|余项|余次|余篇|余人|条|件|项|个|次|份|篇|期|场|人|家|类|批|户|部|本|册|幅|张|起|宗|卷|万册|万份|万条|万次)"
)
_COUNT = re.compile(
    rf"(?<![\d.{CN_DIGITS}第])(?:\d[\d,]*(?:\.\d+)?|[{CN_DIGITS}]{{1,12}})(?:万|亿)?(?:余|多)?{_UNITS}"
    r"(?!工作日|小时|月|年|日|以上|百分点|季度|工作|周)"
)
# Not counts: ordinals, weekdays, '一是', and the Chinese-numeral words that read as adjectives.
_CN_ONLY_NOT_COUNT = re.compile(rf"^(?:[一二两]|[{CN_DIGITS}]*点)[个项条件次类批家份期场部本张起宗]?$")
_PRECEDED_NOT_COUNT = re.compile(r"(?:第|每|各|逐|这|那|哪|单|多|两|几|某)$")


def find_counts(text: str) -> list[CharSpan]:
    spans: list[CharSpan] = []
    for match in _COUNT.finditer(text):
        start, end = match.span()
        token = match.group()
        if not token[0].isdigit():
            # Chinese numerals need care: '一项', '一批', '一类' are usually 'a', not counts.
            if _CN_ONLY_NOT_COUNT.match(token) or _PRECEDED_NOT_COUNT.search(text[max(0, start - 1):start]):
                continue
            if token.startswith("一") and len(token) <= 2:
                continue
        spans.append(CharSpan(start, end, "COUNT"))
    return spans


# --- COUNT indicators --------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[。；;！!？?\n]")
_INDICATOR_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("proactive_cumulative", re.compile(r"累计[^，,]{0,20}$")),
    ("applications_cumulative", re.compile(r"(?:历年|累计)[^。]{0,30}申请[^，,]{0,10}$")),
    ("admin_reconsideration", re.compile(r"行政复议[^，,。]{0,12}$")),
    ("admin_litigation", re.compile(r"(?:行政诉讼|提起诉讼|起诉)[^，,。]{0,12}$")),
    ("applications_partially_granted", re.compile(r"部分公开[^，,。]{0,10}$")),
    ("applications_denied", re.compile(r"(?:不予公开|不同意公开|否决公开|不公开)[^，,。]{0,10}$")),
    ("applications_granted", re.compile(r"(?:同意公开|予以公开|全部公开|公开答复|已公开)[^，,。部]{0,10}$")),
    ("applications_unable", re.compile(r"(?:无法提供|不掌握|信息不存在|非本机关)[^，,。]{0,10}$")),
    ("applications_not_processed", re.compile(r"不予处理[^，,。]{0,10}$")),
    ("applications_received", re.compile(r"(?:收到|受理|接收|接到|办理)[^，,。]{0,24}申请[^，,。]{0,12}$|申请[^，,。]{0,6}(?:共|总数|合计)[^，,。]{0,6}$")),
    ("proactive_total", re.compile(r"(?:主动公开|公开政府信息|公开信息|发布信息|公布政府信息|发布政府信息|公开各类信息)[^，,。]{0,16}$")),
    ("proactive_by_channel", re.compile(r"(?:网站|政府公报|公报|微信|微博|公开栏|报纸|电视|新媒体|档案馆|图书馆|查阅点)[^，,。]{0,16}$")),
    ("policy_interpretation", re.compile(r"(?:解读|新闻发布会|回应)[^，,。]{0,12}$")),
    ("fees", re.compile(r"(?:收费|费用|收取)[^，,。]{0,12}$")),
]


_ADJACENT_COUNT = re.compile(rf"(?:\d+|[{CN_DIGITS}]+)[类项个]$")
_NUMBER_HEAD = re.compile(rf"[\d.,{CN_DIGITS}万亿余多]+")


def _unit_end(text: str, start: int) -> int:
    match = _NUMBER_HEAD.match(text, start)
    return match.end() if match else start


_CHANNEL = re.compile(r"网站|公报|微信|微博|公开栏|报纸|电视|新媒体|档案馆|图书馆|查阅点")


def count_indicator(text: str, start: int, window: int = 40) -> str:
    """The indicator a COUNT at ``start`` states, from the clause to its left."""
    if text.startswith("类", _unit_end(text, start)):
        return "other"  # '7类35条': the number of categories, not of items
    left = text[max(0, start - window):start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end():]
    left = _ADJACENT_COUNT.sub("", left)
    for key, pattern in _INDICATOR_RULES:
        if pattern.search(left):
            if key == "proactive_total" and re.search(r"其中|类信息|类$", left):
                return "proactive_by_channel" if _CHANNEL.search(left) else "proactive_by_category"
            return key
    return "other"


_SEGMENT_END = re.compile(r"[、，,；;。：:\n]")


def _own_item(text: str, start: int, reach: int) -> tuple[str, int]:
    """The text before a count and where, in it, the count's own list item begins (after 、，；。：)."""
    left = text[max(0, start - reach):start]
    return left, max((m.end() for m in _SEGMENT_END.finditer(left)), default=0)


def review_or_lawsuit(text: str, start: int) -> str | None:
    """The kind a count's own list item names, when it names exactly one of the two: "行政复议案件2件、
    行政诉讼案件7件" → 7件 is a lawsuit count whatever the clause says before it. A combined figure
    ("行政复议、行政诉讼0件") keeps the first kind (decision 8); cumulative ones are `other` (decision 15)."""
    left, cut = _own_item(text, start, 30)
    if "累计" in left:
        return None
    item = left[cut:]
    lawsuit, review = "诉讼" in item, "复议" in item
    if lawsuit == review:
        return None
    if lawsuit and re.search(r"行政复议[^、，,；;。\d]{0,6}、$", left[:cut]):
        return "admin_reconsideration"
    return "admin_litigation" if lawsuit else "admin_reconsideration"


_ANSWERS = (("applications_partially_granted", re.compile(r"部分公开")),
            ("applications_denied", re.compile(r"不予公开|不同意公开")),
            ("applications_granted", re.compile(r"予以公开|同意公开|全部公开")))


def answer_named(text: str, start: int, end: int) -> str | None:
    """The answer a count's own list item names, in a sentence about requests: "依申请公开信息中，…；不予公开
    35件" → applications_denied. Not for documents (`不予公开信息10条`, decision 8), cumulative figures, or an
    item naming two answers ("已公开或部分公开343件")."""
    left, cut = _own_item(text, start, 40)
    item = left[cut:]
    window = max(0, start - 300)
    stop = text.rfind("。", window, start)
    sentence = text[stop + 1 if stop >= 0 else window:start]
    if "申请" not in sentence or "累计" in sentence or not re.search(r"[件个份]$", text[start:end]):
        return None
    if re.search(r"及|和|与|或|等", item):
        return None
    named = [key for key, pattern in _ANSWERS if pattern.search(item)]
    if named[:1] == ["applications_partially_granted"] and "不予" not in item:
        named = named[:1]  # 部分公开 holds 公开, not 予以公开
    return named[0] if len(named) == 1 else None


# --- zero statements ------------------------------------------------------------------------------------

_NONE = r"(?:未|没有|无(?!法)|尚未|暂未|均未|并未|从未)"
_NONE_VERB = r"(?:收到|接到|受理|发生|出现|有|办理|产生|一例|一起|一件)?"
_REQUEST = r"(?:依申请|信息公开申请|公开信息申请|公开申请|申请公开|申请要求公开|的申请)"
_HEADING_END = r"情况\s*[:：。.]?\s*\n?\s*"
ZERO_STATEMENTS: list[tuple[str, re.Pattern[str]]] = [
    # One clause each: "未收到政府信息公开申请，全年未发生行政复议" is two statements, not one.
    ("applications_received", re.compile(rf"{_NONE}{_NONE_VERB}[^。；\n，,]{{0,30}}?{_REQUEST}[^。；\n，,]{{0,20}}")),
    ("applications_received", re.compile(rf"(?:依申请公开(?:政府信息)?(?:情况|申请)?|申请情况)\s*[:：]?\s*\n?\s*无(?=[。；\n]|$)")),
    ("applications_received", re.compile(r"依申请[^。；\n，,]{0,12}?(?:为|是)\s*(?:0|零|无)(?![\d.])")),
    ("applications_received", re.compile(r"依申请公开[^。；\n]{0,30}?情况[^。；\n]{0,15}?无申请")),
    ("applications_denied", re.compile(rf"{_NONE}{_NONE_VERB}不予公开[^。；\n，,]{{0,20}}")),
    ("applications_denied", re.compile(r"不予公开[^。；\n，,]{0,12}?(?<![\d.])(?:0|零)\s*(?:条|件)")),
    ("admin_reconsideration", re.compile(rf"{_NONE}{_NONE_VERB}[^。；\n，,]{{0,40}}?行政复议[^。；\n，,]{{0,20}}")),
    ("admin_litigation", re.compile(rf"{_NONE}{_NONE_VERB}[^。；\n，,]{{0,40}}?(?:行政诉讼|提起诉讼|诉讼)[^。；\n，,]{{0,20}}")),
    ("admin_litigation", re.compile(r"行政复议[^。；]{0,6}(?:和|及|、|或)[^。；]{0,8}行政诉讼[^。；]{0,6}(?:均为|为)\s*(?:0|零|无)")),
    ("admin_reconsideration", re.compile(r"行政复议[^。；]{0,20}(?:均为|为)\s*(?:0|零|无)")),
    # "行政复议、提起行政诉讼的案件0件": a zero for a combined figure is a zero for both (decision 8 gives
    # the COUNT span the first indicator only).
    ("admin_litigation", re.compile(r"行政复议[^。；\n，,]{0,12}?(?:行政诉讼|诉讼)[^。；\n，,]{0,10}?(?<![\d.])(?:0|零)\s*(?:件|起|宗|个|次)")),
    # A heading followed by a line that only says 无: "(三)、因政府信息公开申请行政复议、提起行政诉讼的情况\n无"
    ("admin_reconsideration", re.compile(rf"行政复议[^。\n]{{0,30}}{_HEADING_END}(?:无|[^。；\n]{{0,15}}?无申请)(?=[。；\n]|$)")),
    ("admin_litigation", re.compile(rf"行政诉讼[^。\n]{{0,30}}{_HEADING_END}(?:无|[^。；\n]{{0,15}}?无申请)(?=[。；\n]|$)")),
]

# "三、依申请公开…情况，…行政复议、提起行政诉讼的情况…这几条，我局无此类情况。": one sentence says none of
# several things; every indicator it names is 0.
_COLLECTIVE_NONE = re.compile(r"无此类情况|均无|均为零|均未发生|都没有发生|均没有发生")
_SENTENCE_END = re.compile(r"[^。\n]{0,4}(?:[。\n]|$)")
_NAMED_IN_COLLECTIVE = (("applications_received", "依申请"), ("applications_denied", "不予公开"),
                        ("admin_reconsideration", "行政复议"), ("admin_litigation", "诉讼"))
_REVIEW_WORDS = re.compile(r"行政复议|诉讼")
# Table 3 row labels: "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
# "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请".
_TABLE_ROW_LABEL = re.compile(r"不再处理|逾期不补正|收费通知")
# "未发生…被行政复议纠错或行政诉讼败诉": no review was lost, which is not "no review".
_OUTCOME_WORDS = re.compile(r"纠错|纠正|败诉|撤销|确认违法")


def find_zero_statements(text: str) -> list[tuple[str, int, int]]:
    found = []
    for key, pattern in ZERO_STATEMENTS:
        for match in pattern.finditer(text):
            if key in ("applications_received", "applications_denied") and _REVIEW_WORDS.search(match.group()):
                continue  # "无一例因政府信息公开申请行政复议": no review, not no request
            if key in ("admin_reconsideration", "admin_litigation") and _OUTCOME_WORDS.search(match.group()):
                continue
            if _TABLE_ROW_LABEL.search(match.group()):
                continue
            found.append((key, match.start(), match.end()))
    for match in _COLLECTIVE_NONE.finditer(text):
        if not _SENTENCE_END.match(text, match.end()):
            continue  # "均无" inside a longer clause is not the sentence's verdict
        start = max(text.rfind("。", max(0, match.start() - 200), match.start()),
                    text.rfind("\n", max(0, match.start() - 200), match.start())) + 1
        start = max(start, match.start() - 200)
        sentence = text[start:match.end()]
        for key, word in _NAMED_IN_COLLECTIVE:
            if word in sentence:
                found.append((key, start, match.end()))
    return found


# --- PROBLEM and MEASURE ---------------------------------------------------------------------------

_ITEM_SPLIT = re.compile(
    rf"\s*(?:[{'一二三四五六七八九十'}]+是[，,：:]?|[（(][{'一二三四五六七八九十'}\d]+[)）]|\d+[.、．](?!\d)|[{'一二三四五六七八九十'}]+、)?"
)
_PROBLEM_CUES = re.compile(
    r"不够|不足|有待|欠缺|滞后|不高|薄弱|不强|不到位|仍需|还需|尚需|需进一步|需要进一步|不完善|不平衡|较少|单一|不及时|参差不齐|不规范|不够深入|问题|短板|不全面|偏少|较弱|不精准"
)
_MEASURE_CUES = re.compile(
    r"加强|进一步|完善|推进|提高|强化|加大|健全|做好|继续|深化|拓展|规范|落实|提升|优化|抓好|坚持|严格|扩大|建立|丰富|创新|注重|加快|狠抓|将"
)
_IMPROVEMENT_TURN = re.compile(r"(?:改进措施|下一步|今后|(?:\d{4}年|新的一年|明年)[^。]{0,12}(?:将|要|重点)|为此|针对[^。]{0,20}问题|采取以下措施|改进)")
_MIN_ITEM, _MAX_ITEM = 6, 300


_ITEM_BOUNDARY = re.compile(
    r"(?<=[。；;！!？?\n])|(?<=[：:，,])(?=[一二三四五六七八九十]+是|[（(][一二三四五六七八九十]+[)）]|\d+[.、．](?!\d))"
)


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Enumerated items or sentences of text[start:end], without enumerators and final punctuation."""
    items = []
    cuts = [start] + [start + m.start() for m in _ITEM_BOUNDARY.finditer(text[start:end]) if m.start() > 0] + [end]
    for piece_start, piece_end in zip(cuts, cuts[1:]):
        enum = _ITEM_SPLIT.match(text, piece_start, piece_end)
        s = enum.end() if enum else piece_start
        e = piece_end
        while e > s and text[e - 1] in "。；;！!？?，,\n ：:":
            e -= 1
        while s < e and text[s] in " \n":
            s += 1
        if e - s >= _MIN_ITEM:
            items.append((s, min(e, s + _MAX_ITEM)))
    return items


def find_problems_and_measures(text: str, sections: list[Section] | None = None) -> list[CharSpan]:
    sections = sections if sections is not None else find_sections(text)
    spans: list[CharSpan] = []
    for section in sections:
        if section.key not in ("problems_improvements", "next_steps"):
            continue
        turn = _IMPROVEMENT_TURN.search(text, section.body_start, section.end) if section.key == "problems_improvements" else None
        measure_from = section.body_start if section.key == "next_steps" else (turn.start() if turn else section.end)
        for s, e in _items(text, section.body_start, section.end):
            item = text[s:e]
            if e <= measure_from or s < measure_from <= e and _PROBLEM_CUES.search(item):
                if _PROBLEM_CUES.search(item) and not item.startswith(("目前", "虽然")) and len(item) < 200:
                    spans.append(CharSpan(s, e, "PROBLEM"))
            elif _MEASURE_CUES.search(item) and not _IMPROVEMENT_TURN.fullmatch(item):
                if re.search(r"(?:将采取|以下(?:几个)?方面|如下措施|以下措施)[^。]{0,10}$", item):
                    continue
                spans.append(CharSpan(s, e, "MEASURE"))
    return spans


def annotate_entities(text: str) -> list[CharSpan]:
    """AGENCY and COUNT spans, non-overlapping, COUNT winning over AGENCY."""
    counts = find_counts(text)
    agencies = [a for a in find_agencies(text) if not any(c.start < a.end and a.start < c.end for c in counts)]
    kept: list[CharSpan] = []
    for span in sorted(counts + agencies, key=lambda s: (s.start, -s.end)):
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept
