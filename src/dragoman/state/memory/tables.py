"""Cooldowns, usage windows, session bindings and client logins in dicts of this process.

Each table tells an optional listener of every change it makes (the host backend
journals them to share and keep them), and `load` applies a change learned from
elsewhere without telling it back.
"""

from __future__ import annotations

from collections.abc import Callable

from dragoman.state import cooling
from dragoman.state.records import (
    WHOLE_ACCOUNT,
    Binding,
    ClientLogin,
    Cooldown,
    CooldownKind,
    LastError,
    Window,
)

Clock = Callable[[], float]
Record = Cooldown | Window | Binding | LastError | ClientLogin
# (key, the record now, or None: removed)
Listener = Callable[[tuple[str, ...], Record | None], None]


def _ignore(key: tuple[str, ...], record: Record | None) -> None:
    """No one listens (one process, nothing kept)."""


class MemoryHealth:
    def __init__(self, clock: Clock, listener: Listener = _ignore) -> None:
        self._clock = clock
        self._records: dict[str, dict[str, Cooldown]] = {}
        self._errors: dict[str, LastError] = {}
        self.listener = listener
        # Last errors are told apart: the host backend keeps them in a table of their own.
        self.error_listener = listener

    def blocking(self, account: str, *scopes: str) -> Cooldown | None:
        records = self._records.get(account)
        if not records:
            return None
        now = self._clock()
        found = records.get(WHOLE_ACCOUNT)
        if found is not None and found.until <= now:
            found = None
        for scope in scopes:
            record = records.get(scope)
            if record is not None and record.until > now and (found is None or record.until > found.until):
                found = record
        return found

    def cooldowns(self, account: str) -> tuple[Cooldown, ...]:
        return tuple(self._records.get(account, {}).values())

    def strike(
        self, account: str, scope: str, kind: CooldownKind, reason: str, until: float | None = None
    ) -> Cooldown:
        current = self._records.get(account, {}).get(scope)
        record = cooling.strike(current, account, scope, kind, reason, until, self._clock())
        if record is not current:
            self._put(record)
            self.listener((account, scope), record)
        return record

    def recovered(self, account: str, scope: str) -> None:
        record = self._records.get(account, {}).get(scope)
        if record is not None and not record.active(self._clock()):
            self._remove(account, scope)
            self.listener((account, scope), None)

    def reset(self, account: str) -> None:
        for scope in list(self._records.get(account, ())):
            self._remove(account, scope)
            self.listener((account, scope), None)

    def failed(self, error: LastError) -> None:
        if self.load_error((error.account,), error):
            self.error_listener((error.account,), error)

    def last_error(self, account: str) -> LastError | None:
        return self._errors.get(account)

    def load(self, key: tuple[str, ...], record: Record | None) -> None:
        if isinstance(record, Cooldown):
            self._put(record)
        elif record is None:
            self._remove(*key)

    def load_error(self, key: tuple[str, ...], record: Record | None) -> bool:
        """Keep `record` if it is newer than the account's last error; whether it was."""
        if not isinstance(record, LastError):
            return False
        held = self._errors.get(record.account)
        if held is not None and held.at > record.at:
            return False
        self._errors[record.account] = record
        return True

    def _put(self, record: Cooldown) -> None:
        self._records.setdefault(record.account, {})[record.scope] = record

    def _remove(self, account: str, scope: str) -> None:
        records = self._records.get(account)
        if records is not None:
            records.pop(scope, None)
            if not records:
                del self._records[account]


class MemoryWindows:
    def __init__(self, clock: Clock, listener: Listener = _ignore) -> None:
        self._windows: dict[str, dict[tuple[str, str], Window]] = {}
        self._listed: dict[str, tuple[Window, ...]] = {}
        self.listener = listener

    def of(self, account: str) -> tuple[Window, ...]:
        listed = self._listed.get(account)
        if listed is None:
            listed = self._listed[account] = tuple(self._windows.get(account, {}).values())
        return listed

    def observe(self, window: Window) -> None:
        if self.load((), window):
            self.listener((window.account, window.family, window.name), window)

    def load(self, key: tuple[str, ...], record: Record | None) -> bool:
        """Keep `record` if it is newer than the one held; whether it was."""
        if not isinstance(record, Window):
            return False
        windows = self._windows.setdefault(record.account, {})
        held = windows.get((record.family, record.name))
        if held is not None and held.observed_at > record.observed_at:
            return False
        windows[record.family, record.name] = record
        self._listed.pop(record.account, None)
        return True


class MemoryClientLogins:
    def __init__(self, listener: Listener = _ignore) -> None:
        self._logins: dict[str, ClientLogin] = {}
        self._listed: tuple[ClientLogin, ...] | None = None
        self.listener = listener

    def all(self) -> tuple[ClientLogin, ...]:
        if self._listed is None:
            self._listed = tuple(sorted(self._logins.values(), key=lambda seen: -seen.seen_at))
        return self._listed

    def observe(self, record: ClientLogin) -> None:
        if self.load((record.login,), record):
            self.listener((record.login,), record)

    def load(self, key: tuple[str, ...], record: Record | None) -> bool:
        """Keep `record` if it is newer than the one held (None: the login's record was
        collected); whether anything changed."""
        if record is None:
            self._listed = None
            return self._logins.pop(key[0], None) is not None
        if not isinstance(record, ClientLogin):
            return False
        held = self._logins.get(record.login)
        if held is not None and held.seen_at > record.seen_at:
            return False
        self._logins[record.login] = record
        self._listed = None
        return True


class MemoryBindings:
    def __init__(self, clock: Clock, listener: Listener = _ignore) -> None:
        self._clock = clock
        self._bound: dict[tuple[str, str], Binding] = {}
        self._by_account: dict[str, set[tuple[str, str]]] = {}
        self._sweep_at = 1024  # sweep expired bindings when the table has doubled
        self.listener = listener

    def get(self, session: str, model: str) -> str | None:
        binding = self._bound.get((session, model))
        if binding is None or binding.expires <= self._clock():
            return None
        return binding.account

    def bind(self, session: str, model: str, account: str, ttl: float) -> None:
        now = self._clock()
        held = self._bound.get((session, model))
        if held is not None and held.account == account and held.expires - now > ttl - _slack(ttl):
            return  # renewed moments ago: a conversation's every turn need not write it again
        binding = Binding(session, model, account, now + ttl)
        self._put(binding)
        self.listener((session, model), binding)
        if len(self._bound) >= self._sweep_at:
            self.sweep()

    def drop(self, session: str, model: str) -> None:
        if self._remove((session, model)):
            self.listener((session, model), None)

    def drop_account(self, account: str) -> int:
        keys = list(self._by_account.get(account, ()))
        now = self._clock()
        live = sum(1 for key in keys if self._bound[key].expires > now)
        for key in keys:
            self.drop(*key)
        return live

    def count(self, account: str) -> int:
        now = self._clock()
        return sum(1 for key in self._by_account.get(account, ()) if self._bound[key].expires > now)

    def all(self) -> tuple[Binding, ...]:
        now = self._clock()
        return tuple(binding for binding in self._bound.values() if binding.expires > now)

    def sweep(self) -> None:
        """Forget expired bindings (every reader ignores them already)."""
        now = self._clock()
        for key in [key for key, binding in self._bound.items() if binding.expires <= now]:
            self._remove(key)
        self._sweep_at = max(1024, 2 * len(self._bound))

    def load(self, key: tuple[str, ...], record: Record | None) -> None:
        if isinstance(record, Binding):
            self._put(record)
        elif record is None and len(key) == 2:
            self._remove((key[0], key[1]))

    def _put(self, binding: Binding) -> None:
        key = (binding.session, binding.model)
        self._remove(key)
        self._bound[key] = binding
        self._by_account.setdefault(binding.account, set()).add(key)

    def _remove(self, key: tuple[str, str]) -> bool:
        binding = self._bound.pop(key, None)
        if binding is None:
            return False
        keys = self._by_account[binding.account]
        keys.discard(key)
        if not keys:
            del self._by_account[binding.account]
        return True


# How long after a renewal another one is skipped: a binding then lives between its TTL
# minus this and its TTL after the conversation's last turn (renewing on every turn cost a
# journal write per request on the host backend).
RENEW_SLACK = 30.0


def _slack(ttl: float) -> float:
    return min(RENEW_SLACK, ttl / 10)
