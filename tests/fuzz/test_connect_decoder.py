"""The Connect envelope decoder (dragoman.providers.cursor.connect), fuzzed from the
corpus (tests/fuzz/corpus/connect: plain and gzip frames, an end-of-stream trailer with
and without an error): each file decodes the same cut at every byte; damaged (bytes
flipped, dropped, added, cut short: Connect has no checksum, so a damaged frame may
still decode) it gives frames however it is cut, or a ConnectError, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.providers.cursor.connect import ConnectError, Decoder, Frame
from tests.fuzz.corpus import EDITS, damaged, files

CORPUS = files("connect", ".bin")
SEEDS = [path.read_bytes() for path in CORPUS]


def decoded(chunks: list[bytes]) -> list[Frame]:
    decoder = Decoder()
    frames = [frame for chunk in chunks for frame in decoder.feed(chunk)]
    decoder.close()
    return frames


def outcome(chunks: list[bytes]) -> list[Frame] | str:
    try:
        return decoded(chunks)
    except ConnectError:
        return "ConnectError"


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_a_corpus_file_decodes_the_same_cut_at_every_byte(path: Path) -> None:
    stream = path.read_bytes()
    whole = decoded([stream])
    assert whole and whole[-1].end
    for at in range(1, len(stream)):
        assert decoded([stream[:at], b"", stream[at:]]) == whole


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SEEDS), EDITS, st.integers(1, 32))
def test_damage_gives_the_same_frames_however_cut_or_a_connect_error(
    seed: bytes, edits: Any, size: int
) -> None:
    data = damaged(seed, edits)
    chunks = [data[start : start + size] for start in range(0, len(data), size)]
    assert outcome(chunks) == outcome([data])
