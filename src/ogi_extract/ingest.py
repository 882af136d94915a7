"""Files -> Documents: bytes to raw text (tables kept as tab-separated rows), then normalised text."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .normalise import Normalised, normalise

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # real reports are far below 1 MB; a 50 MB "report" is an error record
DEFAULT_MAX_CHARS = 1_000_000  # spaCy's own limit per document, and a memory bound for the pipeline


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory flat on hostile inputs; a file beyond them becomes an error record."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS


class IngestError(Exception):
    """A file that cannot become a Document; ``type`` is a stable name for the error record."""

    def __init__(self, type_: str, message: str):
        super().__init__(message)
        self.type = type_
        self.message = message


@dataclass
class Document:
    doc_id: str
    source: str
    raw_text: str
    normalised: Normalised
    metadata: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.normalised.text


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# --- discovering inputs -------------------------------------------------------------------------


def iter_inputs(inputs: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files named directly, and supported files under folders (recursively, sorted, symlink loops cut)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(root: Path) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            stat = folder.stat()
        except OSError:
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir():
                    subfolders.append(entry)
                elif entry.suffix.lower() in SUFFIXES:
                    yield entry
            except OSError:
                yield entry  # a broken link: reading it gives a clear error record
        stack.extend(reversed(subfolders))


# --- bytes -> text ----------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CANDIDATE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be", "utf_8"]


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """Decode bytes of a text file; return (text, encoding). Detected, never assumed."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    if _looks_binary(data):
        raise IngestError("BinaryFile", f"{source}: not a text file (binary content at byte {data.find(0)})")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        best = from_bytes(data).best()
    if best is not None:
        return data.decode(best.encoding, errors="replace"), best.encoding
    # No single encoding fits (a file mixing two): keep the reading that loses the fewest characters,
    # with U+FFFD where bytes do not decode, rather than losing the file.
    readings = [(data.decode(e, errors="replace"), e) for e in ("utf-8", "gb18030", "big5")]
    text, encoding = min(readings, key=lambda r: r[0].count("\ufffd"))
    if text.count("\ufffd") > len(text) * 0.3:
        raise IngestError("DecodeError", f"{source}: no text encoding fits these bytes (first undecodable byte near offset {_first_bad(data)})")
    return text, f"{encoding}+replace"


def _first_bad(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return -1


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    # CJK text in UTF-16 has few NULs, so also try a strict decode and look for CJK characters.
    for encoding, hint in (("utf-16-le", odd_nul), ("utf-16-be", even_nul)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for ch in text[:2000] if "\u4e00" <= ch <= "\u9fff")
        if hint > 0.3 or cjk > len(text[:2000]) * 0.3:
            return encoding
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return sample.count(0) > len(sample) * 0.01 or controls > len(sample) * 0.1


# --- HTML -----------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
    "footer", "table", "tr", "blockquote", "pre", "dt", "dd", "dl", "hr", "form", "nav", "aside", "main",
    "title", "caption", "center", "address", "figure", "figcaption",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "button", "select", "option"}
_CELL_TAGS = {"td", "th"}
_TABLE_PARTS = {"td", "th", "tr", "thead", "tbody", "tfoot", "table"}


_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?\s*([A-Za-z0-9_\-]+)", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def html_to_text(data: bytes, source: str) -> tuple[str, dict]:
    from lxml import etree

    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        try:
            markup, encoding = data.decode(declared.group(1).decode("ascii"), errors="replace"), declared.group(1).decode("ascii").lower()
        except LookupError:
            markup, encoding = decode_text(data, source)
    else:
        markup, encoding = decode_text(data, source)
    markup = _XML_DECLARATION.sub("", markup, count=1)
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(markup, parser)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError("CorruptFile", f"{source}: HTML cannot be parsed: {exc}") from exc
    if root is None:
        text, _ = decode_text(data, source)
        if not text.strip():
            raise IngestError("EmptyFile", f"{source}: empty HTML document")
        return text, {}
    title_el = root.find(".//title")
    meta = {"title": (title_el.text or "").strip()} if title_el is not None and title_el.text else {}
    meta["encoding"] = encoding
    out: list[str] = []
    cell_depth = 0  # block elements inside a table cell stay inside the cell's line
    # Iterative walk: nesting depth in hostile pages must not hit Python's recursion limit.
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if closing:
            if tag in _CELL_TAGS:
                cell_depth -= 1
                out.append("\t")
            elif tag == "tr":
                if out and out[-1] == "\t":
                    out.pop()  # cells are separated by tabs, the row does not end with one
                out.append("\n")
            elif tag in _BLOCK_TAGS:
                out.append(" " if cell_depth else "\n")
            if node.tail and (node.tail.strip() or tag not in _TABLE_PARTS):
                out.append(node.tail)
            continue
        if tag in _SKIP_TAGS or not isinstance(node.tag, str):
            if node.tail:
                out.append(node.tail)
            continue
        if tag in _CELL_TAGS:
            cell_depth += 1
        elif tag in _BLOCK_TAGS and not cell_depth:
            out.append("\n")
        if node.text:
            out.append(node.text)
        stack.append((node, True))
        for child in reversed(list(node)):
            stack.append((child, False))
    text = "".join(out)
    text = re.sub(r"[^\S\n\t]+\n", "\n", text)
    if not text.strip():
        # libxml2 gives up on pathological nesting; plain tag stripping still recovers the words.
        text = _strip_tags(markup)
    if not text.strip() and meta.get("title"):
        text = meta["title"]  # a page without a body still names its report
    return text, meta


_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|li|tr|h[1-6]|table|section|article)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def _strip_tags(markup: str) -> str:
    import html as html_module

    text = _INVISIBLE.sub("", markup)
    text = _BLOCK_TAG.sub("\n", text)
    return html_module.unescape(_ANY_TAG.sub("", text))


# --- DOCX -------------------------------------------------------------------------------------------


def docx_to_text(path: Path, source: str) -> tuple[str, dict]:
    import zipfile

    import docx
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: DocxDocument = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError("CorruptFile", f"{source}: not a valid .docx (zip) file: {exc}") from exc
    except Exception as exc:  # python-docx raises several lxml/opc errors for broken parts
        raise IngestError("CorruptFile", f"{source}: .docx cannot be read: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            lines.append(Paragraph(block, document).text)
        elif block.tag.endswith("}tbl"):
            for row in Table(block, document).rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a merged cell is returned once per grid column
                        continue
                    last = cell._tc
                    cells.append(" ".join(p.text for p in cell.paragraphs).strip())
                lines.append("\t".join(cells))
    title = (document.core_properties.title or "").strip()
    return "\n".join(lines), ({"title": title} if title else {})


# --- PDF ---------------------------------------------------------------------------------------------

_CID = re.compile(r"\(cid:\d+\)")


def pdf_to_text(path: Path, source: str) -> tuple[str, dict]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfplumber wraps pdfminer's errors; look inside to name them
        raise _pdf_error(exc, source) from exc
    pages: list[str] = []
    images = 0
    try:
        with pdf:
            for number, page in enumerate(pdf.pages, start=1):
                images += len(page.images)
                pages.append(_pdf_page_text(page))
    except Exception as exc:
        error = _pdf_error(exc, source)
        error.message = error.message + f" (at page {len(pages) + 1})"
        raise error from exc
    text = "\n".join(pages)
    visible = _CID.sub("", text)
    if len(_CID.findall(text)) > 20 and len(re.sub(r"\s", "", visible)) < len(re.sub(r"\s", "", text)) * 0.5:
        raise IngestError("OcrRequired", f"{source}: the PDF text layer is unreadable ((cid:NNN) glyphs without a mapping); OCR is needed")
    if not text.strip():
        if images:
            raise IngestError("OcrRequired", f"{source}: the PDF has {images} images and no text layer (scanned); OCR is needed")
        raise IngestError("EmptyFile", f"{source}: the PDF contains no text")
    return text, {"pages": len(pages)}


def _pdf_error(exc: BaseException, source: str) -> IngestError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: list[BaseException] = []
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if isinstance(item, BaseException) and item not in seen:
            seen.append(item)
            pending += [item.__cause__, item.__context__, *item.args]
    if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(e).lower() for e in seen):
        return IngestError("EncryptedFile", f"{source}: the PDF is encrypted and cannot be read without a password")
    detail = next((f"{type(e).__name__}: {e}" for e in reversed(seen) if str(e)), type(exc).__name__)
    return IngestError("CorruptFile", f"{source}: not a readable PDF ({detail})")


def _pdf_page_text(page) -> str:
    """Text and tables of one page in reading order: bands of text between tables, tables as tab rows."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    parts: list[str] = []
    top = 0.0
    for table in tables:
        x0, t_top, x1, t_bottom = table.bbox
        if t_top > top:
            parts.append(page.crop((0, top, page.width, t_top)).extract_text() or "")
        for row in table.extract():
            parts.append("\t".join((cell or "").replace("\n", "") for cell in row))
        top = max(top, t_bottom)
    if top < page.height:
        parts.append(page.crop((0, top, page.width, page.height)).extract_text() or "")
    return "\n".join(p for p in parts if p)


# --- the entry point -----------------------------------------------------------------------------------


def read_document(path: str | os.PathLike, *, source: str | None = None, limits: Limits = Limits()) -> Document:
    """Read one file into a Document; raise IngestError with a message naming the file."""
    path = Path(path)
    source = source if source is not None else str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError("ReadError", f"{source}: cannot read: {exc.strerror or exc}") from exc
    if size > limits.max_bytes:
        raise IngestError("TooLarge", f"{source}: {size} bytes exceeds the limit of {limits.max_bytes} bytes (raise it with --max-bytes)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("ReadError", f"{source}: cannot read: {exc.strerror or exc}") from exc
    return document_from_bytes(data, source=source, suffix=path.suffix.lower(), path=path, max_chars=limits.max_chars)


def document_from_bytes(data: bytes, *, source: str, suffix: str = ".txt", path: Path | None = None,
                        max_chars: int = DEFAULT_MAX_CHARS) -> Document:
    doc_id = doc_id_for(data)
    if not data.strip():
        raise IngestError("EmptyFile", f"{source}: the file is empty")
    metadata: dict = {"input_format": suffix.lstrip(".") or "txt"}
    if suffix in HTML_SUFFIXES:
        raw, extra = html_to_text(data, source)
    elif suffix == ".docx":
        with _as_file(path, data, suffix) as file:
            raw, extra = docx_to_text(file, source)
    elif suffix == ".pdf":
        with _as_file(path, data, suffix) as file:
            raw, extra = pdf_to_text(file, source)
    elif suffix in TEXT_SUFFIXES or not suffix:
        raw, encoding = decode_text(data, source)
        metadata["encoding"] = encoding
        extra = {}
    else:
        raise IngestError("UnsupportedFormat", f"{source}: unsupported file type {suffix!r} (supported: {', '.join(sorted(SUFFIXES))})")
    metadata.update(extra)
    if len(raw) > max_chars:
        raise IngestError("TooLong", f"{source}: {len(raw)} characters of text exceed the limit of {max_chars} "
                                     f"(raise it with --max-chars; no annual report is this long)")
    # Lines of HTML and DOCX are real blocks; plain text and PDF lines may be broken anywhere.
    normalised = normalise(raw, rejoin=suffix not in HTML_SUFFIXES and suffix != ".docx")
    if not normalised.text.strip():
        raise IngestError("EmptyFile", f"{source}: no text left after cleaning (whitespace or page junk only)")
    metadata.setdefault("title", _title_from_raw(raw) or _title_from_text(normalised.text))
    return Document(doc_id=doc_id, source=source, raw_text=raw, normalised=normalised, metadata=metadata)


def document_from_text(text: str, *, source: str = "<text>") -> Document:
    return document_from_bytes(text.encode("utf-8"), source=source, suffix=".txt")


@contextmanager
def _as_file(path: Path | None, data: bytes, suffix: str) -> Iterator[Path]:
    """The readers of DOCX and PDF want a file: the input's own, or a temporary one removed afterwards."""
    if path is not None:
        yield path
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ogi-") as folder:
        file = Path(folder) / f"input{suffix}"
        file.write_bytes(data)
        yield file


_HEADER_TITLE = re.compile(r"^\s*标题\s*[:：]\s*(.+?)\s*$", re.M)
_TITLE_LINE = re.compile(r"^.{4,80}?(?:年度报告|年报|工作报告)$", re.M)


def _title_from_raw(raw: str) -> str | None:
    match = _HEADER_TITLE.search(raw[:2000])
    return normalise(match.group(1)).text if match else None


def _title_from_text(text: str) -> str | None:
    match = _TITLE_LINE.search(text[:3000])
    return match.group(0) if match else None
