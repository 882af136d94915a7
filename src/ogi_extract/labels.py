"""The label set and indicator keys shared by annotation, training, extraction and evaluation."""

ENTITY_LABELS = ("AGENCY", "COUNT")
SPAN_LABELS = ("PROBLEM", "MEASURE")
LABELS = ENTITY_LABELS + SPAN_LABELS

# The harmonised indicators of the record contract (report-format.md §3.3).
INDICATORS = (
    "proactive_total",
    "applications_received",
    "applications_granted",
    "applications_partially_granted",
    "applications_denied",
    "admin_reconsideration",
    "admin_litigation",
)

# Finer keys an annotator may give a COUNT when it states something more specific.
FINE_INDICATORS = (
    "proactive_by_channel",
    "proactive_by_category",
    "applications_unable",
    "applications_not_processed",
    "applications_other",
    "applications_carried_over",
    "applications_pending",
    "proactive_cumulative",
    "applications_cumulative",
    "policy_interpretation",
    "fees",
    "other",
)

INDICATOR_KEYS = INDICATORS + FINE_INDICATORS

# In doccano and the gold JSONL a COUNT travels as one label "COUNT:<indicator>",
# because doccano round-trips plain span labels but loses per-span attributes.
COUNT_PREFIX = "COUNT:"


def count_label(indicator: str) -> str:
    return f"{COUNT_PREFIX}{indicator}"


def split_label(label: str) -> tuple[str, str | None]:
    """`COUNT:proactive_total` -> (`COUNT`, `proactive_total`); `AGENCY` -> (`AGENCY`, None)."""
    if label.startswith(COUNT_PREFIX):
        return "COUNT", label[len(COUNT_PREFIX):]
    return label, None
