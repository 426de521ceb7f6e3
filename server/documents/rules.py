"""What a scanned document may be: recognised by its bytes, never by its name."""

from __future__ import annotations

MAX_BYTES = 20 * 1024 * 1024
MAX_CHUNK_BYTES = 1024 * 1024

_PNG = b"\x89PNG\r\n\x1a\n"


def content_type(content: bytes) -> str | None:
    """application/pdf, image/png or image/jpeg when the bytes are a whole file of that kind, else None.

    Checks both ends, so a truncated scan (an upload cut short, a copy that failed) is refused.
    """
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]:
        return "application/pdf"
    if content.startswith(_PNG) and b"IEND" in content[-12:]:
        return "image/png"
    if content.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in content[-64:]:
        return "image/jpeg"
    return None
