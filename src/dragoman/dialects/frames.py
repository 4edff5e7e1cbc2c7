"""A stream event's bytes around its text, drawn once and reused for every piece.

Most events of a stream add one piece of text to a part. A renderer serializes the
event once with `MARK` standing for the text, splits it with `around_mark`, and then
writes each piece as `before + orjson.dumps(piece) + after`: the same bytes serializing
the whole event gives, without a dict per piece.
"""

from __future__ import annotations

import orjson

# Stands for the text: orjson writes it escaped ("\u0000"), so no text is taken for it.
MARK = "\x00"
_MARKED = orjson.dumps(MARK)


def around_mark(encoded: bytes) -> tuple[bytes, bytes]:
    """The bytes before and after the text's place in an event drawn with `MARK` as its
    text. The last mark is the text's: what comes before it (a model's name in Chat's
    chunk head) may be the client's to write."""
    before, _, after = encoded.rpartition(_MARKED)
    return before, after
