"""`dragoman db rotate-key`: every stored credential sealed anew under a new key.

With the home's key file, a crash at any point leaves a database every process can
read: the new key is added to the file first (the old ones kept, so rows still sealed
with them open), then every row is sealed anew in one transaction (all or none), and
only then are the old keys dropped from the file. Processes sharing the file read it
again when it changes. With `DRAGOMAN_SECRET_KEY` dragoman cannot change the variable:
whoever runs it puts the new key first (`NEW,OLD`) on every replica, runs this, then
drops `OLD`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dragoman.store.db import Database
from dragoman.store.keyring import VARIABLE, key_id, new_key, parse_key
from dragoman.store.sealed_rows import open_all, reseal_all


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation did: rows sealed anew, under which key, where it is kept, and the
    ids of the keys no longer needed (dropped from the file, or to drop from the variable)."""

    resealed: int
    key_id: str
    source: str
    retired: list[str]


async def rotate_key(database: Database) -> Rotation:
    keys = database.keys
    keys.ids()  # the keys held are well formed, or nothing changes
    async with database.engine.connect() as connection:
        await open_all(connection, keys)  # every row opens with the keys held, or nothing changes
    if keys.variable is not None:
        current, _ = keys.sealing_key()
        count = await _reseal(database)
        return Rotation(count, current, VARIABLE, [kid for kid in keys.ids() if kid != current])
    old = keys.file_keys()
    fresh = new_key()
    keys.replace_file([fresh, *old])
    count = await _reseal(database)
    keys.replace_file([fresh])
    return Rotation(count, keys.sealing_key()[0], str(keys.file), _ids(old))


async def _reseal(database: Database) -> int:
    async with database.engine.begin() as connection:
        return await reseal_all(connection, database.keys)


def _ids(written: list[str]) -> list[str]:
    return [key_id(parse_key(text, "the key file")) for text in written]
