"""ogi-extract: structured, evidence-linked data from Chinese government information-disclosure annual reports."""

import logging

__version__ = "0.1.0"

# jieba announces its dictionary on every load (its logger is set to DEBUG when jieba is imported);
# a corpus run's output should stay readable.
import jieba  # noqa: E402

jieba.setLogLevel(logging.WARNING)

from .api import Extractor, load  # noqa: E402
from .ingest import Document, read_document  # noqa: E402
from .record import Record  # noqa: E402

__all__ = ["Document", "Extractor", "Record", "load", "read_document", "__version__"]
