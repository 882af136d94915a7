"""Who reported, for which year, in which format: read from the title, the opening, the compiler
statement and the signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import to_number
from .record import Agency
from .rules import CharSpan, find_agencies, place_before, tidy_agency

_YEAR = r"(?:(?:19|20)\d{2}|二[〇○零][一二三四五六七八九〇○零]{2})"
_YEAR_RE = re.compile(_YEAR)
# "X2017年(度)政府信息公开工作年度报告", "2017年X政府信息公开…", "特公布X2016年政府信息公开…"
_EMBEDDED_TITLE = re.compile(
    rf"(?P<before>[^\n。，,；;：:“”《》()（）]{{0,40}}?)\s*(?P<year>{_YEAR})\s*年(?:度)?\s*"
    rf"(?P<after>[^\n。，,；;：:“”《》()（）0-9]{{0,30}}?)(?:本级)?(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度)?(?:工作)?(?:年度)?(?:报告|年报|工作)"
)
_LEAD_NOISE = re.compile(
    r"^(?:.*?(?:现予?公布|特公布|现将|公布|发布|印发|转发|结合|关于|标题|名称|Page\s*\d+\s*-|#+|【[^】]*】|\[[^\]]*\]))\s*|^[\s#>|:：\-]+"
)
_PLACE_END = re.compile(r"(?:省|市|县|区|州|盟|旗|镇|乡|街道|自治区|自治州|自治县|实验区|新区|开发区|高新区)$")
_COMPILER = re.compile(r"由([^。\n由]{3,120}?)(?:负责)?(?:汇总)?编制|([^，。\n]{3,40}?)编制(?:完成|了)?本(?:年度)?报告")
_OPENING_SUBJECT = re.compile(rf"^{_YEAR}\s*年(?:度|以来)?\s*[，,]\s*", re.M)
_DATE = re.compile(rf"{_YEAR}\s*年\s*[\d一二三四五六七八九十〇○]{{1,3}}\s*月\s*[\d一二三四五六七八九十〇○]{{1,3}}\s*日")
_ABBREVIATIONS = {
    "残联": "残疾人联合会", "政府办": "人民政府办公室", "府办": "人民政府办公室", "管委会": "管理委员会",
    "文旅局": "文化和旅游局", "应急局": "应急管理局", "科技局": "科学技术局", "民宗局": "民族与宗教事务局",
    "城管局": "城市管理局", "卫健委": "卫生健康委员会", "卫生健康委": "卫生健康委员会", "发改委": "发展和改革委员会",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局", "市监局": "市场监督管理局", "安监局": "安全生产监督管理局",
    "质监局": "质量技术监督局", "国资局": "国有资产监督管理局", "文广新局": "文化广电新闻出版局", "政府": "人民政府",
}
_GOVERNMENT_SUFFIXES = ("人民政府", "管委会", "管理委员会", "办事处")


@dataclass(frozen=True)
class Candidate:
    name: str
    start: int | None
    end: int | None
    source: str


def resolve_agency(text: str, title: str | None, agencies: list[CharSpan]) -> Agency | None:
    mentions = [(text[a.start:a.end], a.start, a.end) for a in agencies]
    candidate = (
        _from_title(text, title, mentions)
        or _from_compiler(text, mentions)
        or _from_opening(text, mentions)
        or _from_signature(text, mentions)
        or _from_contact(text, mentions)
        or _first_local_mention(text, mentions)
    )
    if candidate is None:
        return None
    if candidate.source != "title":
        # Only a title names the office as the reporter ("…人民政府办公室2019年…报告"); an office that compiles,
        # signs or answers for a report speaks for its body.
        body = _body_of_office(candidate.name)
        if body != candidate.name:
            candidate = Candidate(body, candidate.start, candidate.start + len(body) if candidate.start is not None else None,
                                  candidate.source)
    best = candidate
    if _is_short_form(best.name):
        for name, start, end in [(c.name, c.start, c.end) for c in _all_later(text, mentions)] + mentions:
            if len(name) > len(best.name) and _same_body(best.name, name):
                best = Candidate(name, start, end, "expanded")
    best = _fullest_in_text(best, text)
    if best.start is None:
        found = text.find(best.name)
        if found >= 0:
            best = Candidate(best.name, found, found + len(best.name), best.source)
    return Agency(name=best.name, start=best.start, end=best.end)


_SUPERIOR = re.compile(
    r"^(?:国务院|中华人民共和国|国家|中共|中央|党中央|省委|省政府|[\u4e00-\u9fff]{2,3}省(?:人民)?政府)"
    r"|^(?:[\u4e00-\u9fff]{0,6}(?:省|市|县|区|镇|乡))?(?:委|党委|党工委|纪委|人大|政协)$"
)
_PLACE_RUN = r"(?:[\u4e00-\u9fff]{1,6}?(?:省|市|县|区|州|盟|旗|自治区|自治州))+"


_CONTACT = re.compile(r"请与([^，。,()（）:：]{3,40}?)(?:联系|\(|（|，|,)")
_REFERRED = re.compile(r"(?:按照|根据|依据|向|报送|配合|上级和|接受)$")
_ORGAN_WORD_END = re.compile(r"(?:人民政府|政府|局|委员会|委|办公室|办|厅|署|院|联合会|管委会|办事处|中心|馆|所)$")
_NOT_NAME = re.compile(r"[^\u4e00-\u9fff]|关于|印发|转发|根据|按照")
_GUIDING = re.compile(r"的?(?:指导|领导|要求|部署|统一)")  # "在县公开办的指导下": a body above the author


_OFFICE_OF_BODY = re.compile(r"(.{3,}?(?:局|委|会|院|政府|管委会|中心|办事处))(?:党政综合办公室|党政办公室|综合办公室|办公室|综合科|政务公开科)$")


def _body_of_office(name: str) -> str:
    """The office of a body answers for the body: "晋江市残联办公室" -> "晋江市残联"."""
    office = _OFFICE_OF_BODY.match(name)
    return office.group(1) if office else name


def _from_contact(text: str, mentions) -> Candidate | None:
    """'如对本报告有疑问，请与来凤县政务服务和大数据管理局联系': the body that answers for the report."""
    match = _CONTACT.search(text[:1500])
    if not match:
        return None
    # "锡山区司法局政府信息公开领导小组办公室": the body is what comes before its disclosure office.
    named = re.sub(r"(?:政府)?(?:信息|政务)公开.*$", "", match.group(1))
    cut = tidy_agency(named)
    if cut is None:
        return None
    name = named[cut[0]:cut[1]]
    name = _body_of_office(name)
    start = match.start(1) + cut[0]
    if not _PLACE_PREFIX.match(name):
        return None
    return Candidate(name, start, start + len(name), "contact")


_SHORT_FORM_BY_LEVEL = re.compile(r"[省市县区镇乡][\u4e00-\u9fff]{1,10}(?:局|委|办|委员会|中心|馆|院)$")


def _first_local_mention(text: str, mentions) -> Candidate | None:
    """No title, compiler, signature or contact: the first body named in the opening that is not a superior
    one, not a body the report refers to ('按照财政局相关要求'), not inside a document title
    (《国务院办公厅关于…》), and that has a place name; failing that, the first such short form by level alone
    ("县统计局高度重视政府信息公开工作") that is not a body guiding the author ("在县公开办的指导下")."""
    local = [(name, start, end) for name, start, end in mentions
             if start <= 400 and not _SUPERIOR.match(name)
             and text.rfind("《", 0, start) <= text.rfind("》", 0, start)
             and not _REFERRED.search(text[max(0, start - 4):start])]
    for name, start, end in local:
        if _PLACE_PREFIX.match(name):
            return Candidate(name, start, end, "opening")
    for name, start, end in local:
        if _SHORT_FORM_BY_LEVEL.match(name) and not _GUIDING.match(text, end):
            return Candidate(name, start, end, "opening")
    return None


def _fullest_in_text(best: Candidate, text: str) -> Candidate:
    """The same body with its place prefix or its long form, when the text itself writes it
    ('张义镇人民政府' -> '凉州区张义镇人民政府', '国家卫生健康委' -> '国家卫生健康委员会')."""
    name = best.name
    for abbreviation, long_form in _ABBREVIATIONS.items():
        if name.endswith(abbreviation) and not name.endswith(long_form) and name[: -len(abbreviation)] + long_form in text:
            name = name[: -len(abbreviation)] + long_form
            break
    longest = name
    # '市教育局' written in full elsewhere as '广水市教育局': the place name goes in front of the level word.
    pattern = rf"[\u4e00-\u9fff]{{1,6}}{re.escape(name)}" if name[:1] in "省市县区镇乡" else rf"{_PLACE_RUN}{re.escape(name)}"
    for match in re.finditer(pattern, text):
        cut = tidy_agency(match.group())
        if cut is None or cut[1] != len(match.group()):
            continue
        candidate = match.group()[cut[0]:]
        prefix = candidate[: -len(name)]
        if candidate.endswith(name) and len(candidate) > len(longest) and not set(prefix) & _NOT_IN_PLACE:
            longest = candidate
    if longest == best.name:
        return best
    found = text.find(longest)
    return Candidate(longest, found if found >= 0 else None, found + len(longest) if found >= 0 else None, "fullest")


def _all_later(text: str, mentions) -> list[Candidate]:
    return [c for c in (_from_compiler(text, mentions), _from_signature(text, mentions)) if c]


def _from_title(text: str, title: str | None, mentions) -> Candidate | None:
    sources = ([title] if title else []) + [text[:800]]
    for source in sources:
        for match in _EMBEDDED_TITLE.finditer(source):
            inside_book_title = source.rfind("《", 0, match.start() + 1) > source.rfind("》", 0, match.start() + 1)
            if inside_book_title and match.group("before").rstrip().endswith("关于"):
                continue  # 《平武县人民政府办公室关于2021年度…报告编制工作的通知》 is another body's notice
            starts_line = match.start() == 0 or source[match.start() - 1] == "\n"
            leads = ((match.group("before").strip(), starts_line), (match.group("after").strip(), False),
                     (_line_before(source, match), True))
            for lead, whole_line in leads:
                candidate = _interpret_lead(lead, text, mentions, whole_line) if lead else None
                if candidate:
                    return candidate
    return None


def _line_before(source: str, match: re.Match) -> str:
    """A title broken after the body's name: "丰润区交通运输局\n关于2019年政府信息公开工作报告"."""
    line_start = source.rfind("\n", 0, match.start()) + 1
    if source[line_start:match.start("year")].strip(" 　关于的") or line_start == 0:
        return ""
    previous = source[source.rfind("\n", 0, line_start - 1) + 1:line_start - 1].strip()
    return previous if len(previous) <= 30 else ""


def _interpret_lead(lead: str, text: str, mentions, whole_line: bool = False) -> Candidate | None:
    lead = re.sub(r"\s*关于$", "", lead)  # "叠石乡人民政府关于2012年…报告": the body comes before 关于
    lead = lead.rsplit("|", 1)[-1]  # "汤浦镇 |汤浦镇人民政府": a table row's cells
    lead = _LEAD_NOISE.sub("", lead).strip(" 　:：，,、的")
    if len(lead) < 2 or re.search(r"[《》“”]|^(?:根据|依据|按照)|[我本该][局委办部会区县市镇乡处院厅所]", lead):
        return None
    found = find_agencies(lead)
    tidy = tidy_agency(lead)
    if whole_line and _PLACE_PREFIX.match(lead) and _ORGAN_WORD_END.search(lead) and len(lead) <= 20 and not _NOT_NAME.search(lead):
        name = lead  # a title line that starts with the name: "叠石乡人民政府关于2012年…" (jieba reads 叠石 as a verb)
    elif found and found[-1].end >= len(lead) - 1:
        name = lead[place_before(lead, found[-1].start, found[-1].end):found[-1].end]
    elif _PLACE_END.search(lead) and len(lead) <= 20:
        return _government_of(lead, text, mentions)
    elif tidy and len(lead) <= 24 and tidy[1] >= len(lead) - 1:
        name = lead[tidy[0]:tidy[1]]
    else:
        return None
    start = text.find(name)
    return Candidate(name, start if start >= 0 else None, start + len(name) if start >= 0 else None, "title")


def _government_of(place: str, text: str, mentions) -> Candidate:
    """A report titled by a place alone is its government's: the fullest form the text gives, else 人民政府."""
    # The body itself, not its office: "三明市人民政府办公室" mentions count for nothing here.
    frequency = {suffix: text.count(place + suffix) - text.count(place + suffix + "办公") for suffix in _GOVERNMENT_SUFFIXES}
    suffix = max(_GOVERNMENT_SUFFIXES, key=lambda s: (frequency[s], -_GOVERNMENT_SUFFIXES.index(s)))
    if frequency[suffix] > 0:
        found = text.find(place + suffix)
        return Candidate(place + suffix, found, found + len(place + suffix), "title")
    suffix = "管委会" if place.endswith(("实验区", "新区", "开发区", "高新区")) else "办事处" if place.endswith("街道") else "人民政府"
    return Candidate(place + suffix, None, None, "title")


def _from_compiler(text: str, mentions) -> Candidate | None:
    for match in _COMPILER.finditer(text[:3000]):
        group = 1 if match.group(1) else 2
        start, end = match.span(group)
        inside = [m for m in mentions if start <= m[1] and m[2] <= end]
        if inside:
            name, s, e = inside[-1] if group == 2 else inside[0]
            return Candidate(name, s, e, "compiler")
    return None


def _from_opening(text: str, mentions) -> Candidate | None:
    """'2020年，普宁市公安局以…': the subject of the overview's first sentence."""
    for match in _OPENING_SUBJECT.finditer(text[:3000]):
        for name, start, end in mentions:
            if start == match.end():
                return Candidate(name, start, end, "opening")
    return None


def _from_signature(text: str, mentions) -> Candidate | None:
    dates = list(_DATE.finditer(text, max(0, len(text) - 600)))
    for date in reversed(dates):
        for name, start, end in reversed(mentions):
            if end <= date.start() and date.start() - end <= 6 and not re.fullmatch(r"(?:省|市|县|区)?(?:人民)?政府", name):
                return Candidate(name, start, end, "signature")
    return None


def _is_short_form(name: str) -> bool:
    return name[:1] in "省市县区镇乡" or any(name.endswith(a) for a in _ABBREVIATIONS) or not _PLACE_PREFIX.match(name)


_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:省|市|县|区|州|盟|旗|镇|乡|街道|自治区|实验区|新区)|^国务院|^中华人民共和国|^国家")


_NOT_IN_PLACE = set("的了在与和及对向由从为将把被印发形成现就紧抓制告公开积极部署")


def _same_body(short: str, full: str) -> bool:
    expanded = short
    for abbreviation, long_form in _ABBREVIATIONS.items():
        if expanded.endswith(abbreviation) and not expanded.endswith(long_form):
            expanded = expanded[: -len(abbreviation)] + long_form
            break
    for form in {short, expanded}:
        prefix = full[: len(full) - len(form)]
        if full.endswith(form) and re.fullmatch(r"[\u4e00-\u9fff]{0,12}?(?:省|市|县|区|州|盟|旗|镇|乡|街道|自治区|实验区|新区)?", prefix) and not set(prefix) & _NOT_IN_PLACE:
            return True
        # '市残联' -> '牡丹江市残疾人联合会': the level word stays, a place name comes in front of it.
        if form[:1] in "省市县区镇乡" and full.endswith(form[1:]) and full[: len(full) - len(form) + 1].endswith(form[:1]):
            return True
    return False


# --- year and format -------------------------------------------------------------------------------

_PERIOD = re.compile(rf"(?:统计期限|统计时限|统计时间|统计期|数据统计|统计数据)[^。]{{0,16}}?({_YEAR})\s*年")


def _year_value(token: str) -> int:
    if token.isdigit():
        return int(token)
    return int("".join(str(to_number(ch) if ch not in "〇○零" else 0) for ch in token))


def resolve_year(text: str, title: str | None) -> tuple[int | None, tuple[int, int] | None]:
    """The year the report covers: title, then the statistics period, then the first year mentioned."""
    for source in ([title] if title else []) + [text[:800]]:
        match = _EMBEDDED_TITLE.search(source)
        if match:
            year = _year_value(match.group("year"))
            if source is title:
                pos = text.find(match.group("year"))
                return year, ((pos, pos + len(match.group("year"))) if pos >= 0 else None)
            return year, match.span("year")
    match = _PERIOD.search(text)
    if match:
        return _year_value(match.group(1)), match.span(1)
    match = re.search(rf"({_YEAR})\s*年(?:度)?", text)
    if match:
        return _year_value(match.group(1)), match.span(1)
    return None, None


_FORMAT_2021 = re.compile(r"本年制发件数|现行有效件数|逾期未按收费通知|本年收费金额")
_FORMAT_2019 = re.compile(r"本年新制作数量|对外公开总数量|上一年项目数量|采购项目数量")
_FORMAT_NEW = re.compile(r"本年新收政府信息公开申请数量|收到和处理政府信息公开申请情况|第二十条第")


def resolve_format(text: str, year: int | None, table_format: str | None) -> str:
    if table_format in ("2019", "2021"):
        return table_format
    if _FORMAT_2021.search(text):
        return "2021"
    if _FORMAT_2019.search(text):
        return "2019"
    if _FORMAT_NEW.search(text):
        return "2021" if year and year >= 2021 else "2019"
    if year is None:
        return "pre2019" if table_format == "pre2019" else "unknown"
    return "pre2019" if year < 2019 else "2019" if year < 2021 else "2021"
