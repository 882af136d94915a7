"""ogi-extract: structured, evidence-linked data from Chinese government information-disclosure annual reports."""

__version__ = "0.1.0"

from .api import Extractor, load  # noqa: E402
from .ingest import Document, read_document  # noqa: E402
from .record import Record  # noqa: E402

__all__ = ["Document", "Extractor", "Record", "load", "read_document", "__version__"]
