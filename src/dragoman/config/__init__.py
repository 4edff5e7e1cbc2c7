"""Configuration: embedded defaults, then the TOML file, then `DRAGOMAN_*` variables,
then command-line flags, validated by pydantic into one `Settings` value."""

from dragoman.config.load import ConfigError, config_path, home_dir, load
from dragoman.config.schema import ModelsConfig, OAuthConfig, ProviderConfig, Settings

__all__ = [
    "ConfigError",
    "ModelsConfig",
    "OAuthConfig",
    "ProviderConfig",
    "Settings",
    "config_path",
    "home_dir",
    "load",
]
