"""Schema migrations: Alembic revisions, one file each in `versions/`, numbered.

A database records the revision it is at in Alembic's `alembic_version` table. One
made before Alembic has only the old list's `schema_version` number, which is the
revision of the same number (version 9 is revision "0009"): it is stamped with it, then
brought up to date like any other. `schema_version` is kept at the number of the
revision reached, so that a dragoman of that time refuses a newer schema instead of
recreating its tables.

To change the schema: add `versions/NNNN_what.py` with the next number, `revision =
"NNNN"`, `down_revision` the previous number, and an `upgrade()` written with
`alembic.op` that spells out its tables as they are at that revision (never importing
`tables.py`, which moves on); then change `tables.py` to match (a test compares the two
on both backends). Never edit a revision that has shipped.

Which revisions there are is known from the file names (this module imports neither
SQLAlchemy nor Alembic); where a database stands, from SQLAlchemy alone (`check.py`);
Alembic (half a second to import) is loaded only when a database is behind
(`upgrade.py`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dragoman import __version__

VERSIONS = Path(__file__).with_name("versions")
_FILE = re.compile(r"(\d{4})_\w+\.py")


def _revisions() -> tuple[str, ...]:
    return tuple(sorted(found[1] for name in os.listdir(VERSIONS) if (found := _FILE.fullmatch(name))))


REVISIONS = _revisions()
HEAD = REVISIONS[-1]
LATEST = int(HEAD)


class SchemaMismatch(Exception):
    """The database's schema is not the one this dragoman serves, said in one line."""


def refuse_unknown(found: str | None) -> None:
    if found is not None and found not in REVISIONS:
        raise SchemaMismatch(
            f"its schema is at revision {found}, newer than this dragoman ({__version__}) knows "
            f"(its latest is {HEAD}): upgrade dragoman"
        )
