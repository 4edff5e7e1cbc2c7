"""data: URLs, the way OpenAI dialects carry inline images and files."""

from __future__ import annotations


def parse_data_url(url: str) -> tuple[str, str] | None:
    """`(media_type, base64 data)` of a base64 data: URL, or None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, data = url[5:].partition(",")
    if not sep or not header.endswith(";base64"):
        return None
    return header[: -len(";base64")] or "application/octet-stream", data


def data_url(media_type: str | None, data: str) -> str:
    return f"data:{media_type or 'application/octet-stream'};base64,{data}"
