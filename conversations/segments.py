"""How many SMS segments a text costs: GSM-7 when every character allows it, UCS-2 otherwise.

One character outside GSM-7 (a curly quote, a non-breaking space, á) turns the whole message into
UCS-2, which fits 70 characters a segment instead of 160.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters reached through the escape code: each costs two septets.
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def non_gsm_characters(text: str) -> set[str]:
    return {c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENDED}


def count_segments(text: str) -> SegmentCount:
    if not non_gsm_characters(text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return SegmentCount("GSM-7", units, _segments(units, single=160, multi=153))
    units = len(text.encode("utf-16-le")) // 2
    return SegmentCount("UCS-2", units, _segments(units, single=70, multi=67))


def _segments(units: int, single: int, multi: int) -> int:
    if units <= single:
        return 1
    return -(-units // multi)
