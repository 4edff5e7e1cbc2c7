"""The secrets a test configures dragoman with, harvested as dragoman reads them: every
`Settings` validated (config files, environment, overrides, command-line flags in
one) and every `Account` built (stored keys and tokens). The wrappers only look: each
calls the real method and returns its result unchanged."""

from __future__ import annotations

from typing import Any

from dragoman.config.schema import Settings
from dragoman.store.accounts import Account
from tests.secret_scan.harvest import harvest
from tests.secret_scan.registry import register

_real_validate = Settings.model_validate  # inherited from pydantic's BaseModel
_real_account_init = Account.__init__
ACCOUNT_SECRETS = ("api_key", "access_token", "refresh_token")


def _validate(cls: type[Settings], *args: Any, **kwargs: Any) -> Settings:
    settings = _real_validate(*args, **kwargs)
    harvest(settings.model_dump(), "settings")
    return settings


def _account_init(self: Account, *args: Any, **kwargs: Any) -> None:
    _real_account_init(self, *args, **kwargs)
    for name in ACCOUNT_SECRETS:
        register(getattr(self, name), f"stored {self.provider} account {name}")
    harvest(self.extra, f"stored {self.provider} account extra")


def install() -> None:
    Settings.model_validate = classmethod(_validate)  # type: ignore[method-assign, assignment]
    Account.__init__ = _account_init  # type: ignore[method-assign]


def uninstall() -> None:
    del Settings.model_validate  # BaseModel's own shows through again
    Account.__init__ = _real_account_init  # type: ignore[method-assign]
