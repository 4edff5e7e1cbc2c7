"""Where the sealing key comes from: DRAGOMAN_SECRET_KEY, else the home's secret.key,
made once (0600) however many processes ask at the same moment."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dragoman.store.keyring import KEY_FILE, VARIABLE, Keyring, SecretKeyError, key_id, new_key

KEY = new_key()
OTHER = new_key()


def test_the_variable_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    keys = Keyring(tmp_path, {VARIABLE: KEY})
    kid, key = keys.sealing_key()
    assert key == base64.urlsafe_b64decode(KEY) and kid == key_id(key)
    assert keys.source == VARIABLE
    assert not (tmp_path / KEY_FILE).exists()


def test_the_variable_may_list_old_keys_after_the_sealing_one(tmp_path: Path) -> None:
    keys = Keyring(tmp_path, {VARIABLE: f"{KEY}, {OTHER.rstrip('=')}"})
    assert keys.sealing_key()[0] == key_id(base64.urlsafe_b64decode(KEY))
    assert keys.opening_key(key_id(base64.urlsafe_b64decode(OTHER))) == base64.urlsafe_b64decode(OTHER)


def test_without_the_variable_the_file_is_made_on_the_first_seal_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    keys = Keyring(home, {})
    assert keys.ids() == [] and keys.opening_key("00000000") is None
    assert not (home / KEY_FILE).exists()  # reading makes nothing
    kid, _ = keys.sealing_key()
    path = home / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert Keyring(home, {}).sealing_key()[0] == kid  # the next process reads the same key
    assert [entry.name for entry in home.iterdir()] == [KEY_FILE]  # no temporary file left


# Named ids: KEY is random, and an id drawn from it differs between the processes of a
# parallel run (pytest -n), which then refuse to share the tests out.
@pytest.mark.parametrize(
    "written",
    ["not-a-key", base64.urlsafe_b64encode(b"short").decode(), KEY[:-4] + "!!!!"],
    ids=["words", "too-short", "bad-characters"],
)
def test_a_malformed_variable_is_named_never_shown(tmp_path: Path, written: str) -> None:
    with pytest.raises(SecretKeyError) as caught:
        Keyring(tmp_path, {VARIABLE: written}).sealing_key()
    message = str(caught.value)
    assert message.startswith(f"{VARIABLE} is not a key: it must be 32 random bytes in URL-safe base64")
    assert written not in message


def test_a_malformed_or_empty_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    path.write_text("# comment\nnot a key\n")
    with pytest.raises(SecretKeyError, match=f"^{path} is not a key"):
        Keyring(tmp_path, {}).sealing_key()
    path.write_text("")
    with pytest.raises(SecretKeyError, match=f"^{path} holds no key: put back"):
        Keyring(tmp_path, {}).sealing_key()  # never replaced by a new key: rows may need the old
    assert path.read_text() == ""


def test_a_file_changed_by_another_process_is_read_again(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text(f"{KEY}\n")
    running = Keyring(tmp_path, {})
    assert running.sealing_key()[0] == key_id(base64.urlsafe_b64decode(KEY))
    Keyring(tmp_path, {}).replace_file([OTHER, KEY])  # a rotation elsewhere
    new_id = key_id(base64.urlsafe_b64decode(OTHER))
    assert running.sealing_key()[0] == new_id  # checked before each seal
    assert running.opening_key(key_id(base64.urlsafe_b64decode(KEY))) is not None


def test_processes_racing_to_make_the_file_all_read_the_one_that_won(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from dragoman.store.keyring import Keyring
        start = float(sys.argv[2])
        while time.time() < start:
            pass
        print(Keyring(Path(sys.argv[1]), {}).sealing_key()[0])
        """
    )
    start = str(time.time() + 1.5)  # every racer imported by then
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    racers = [
        subprocess.Popen([sys.executable, "-c", script, str(home), start], stdout=subprocess.PIPE, env=env)
        for _ in range(6)
    ]
    seen = {racer.communicate(timeout=60)[0].decode().strip() for racer in racers}
    assert len(seen) == 1 and seen != {""}
    assert [entry.name for entry in home.iterdir()] == [KEY_FILE]
    assert Keyring(home, {}).ids() == list(seen)


@pytest.mark.parametrize("blank", ["", " ", ","])
def test_a_blank_variable_is_refused_never_read_as_unset(tmp_path: Path, blank: str) -> None:
    with pytest.raises(SecretKeyError, match=f"^{VARIABLE} is set but empty: give it the key"):
        Keyring(tmp_path, {VARIABLE: blank}).sealing_key()
    assert not (tmp_path / KEY_FILE).exists()
