"""Configuration: one YAML file, validated completely at start.

The bot must run with nothing but `DISCORD_TOKEN` set, so every key has a default; and a
mistyped key must be reported rather than silently ignored, so unknown keys are errors.
All problems are collected and reported together, like the content validator does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg"
TOKEN_ENV = "DISCORD_TOKEN"
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """Raised with every problem found, one per line, each naming the key at fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class TokenError(Exception):
    """The token is missing or unreadable; the message never contains the token."""


@dataclass(frozen=True)
class DiscordConfig:
    token_file: str | None = None  # a file holding the token (container secrets)
    api_base_url: str = DEFAULT_API_BASE_URL  # REST base including /api/v10
    gateway_url: str = DEFAULT_GATEWAY_URL  # ws:// or wss://
    dev_guild_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ContentConfig:
    path: str = "content"
    watch: bool = False
    watch_debounce_ms: int = 1000


@dataclass(frozen=True)
class StorageConfig:
    data_dir: str = "data"
    database: str = ""  # default: <data_dir>/briefing.sqlite3


@dataclass(frozen=True)
class BriefingsConfig:
    default_time: str = "08:00"
    default_timezone: str = "UTC"
    catch_up_hours: float = 6.0
    max_sends_per_second: float = 40.0


@dataclass(frozen=True)
class AdminConfig:
    owner_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class HealthConfig:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"


@dataclass(frozen=True)
class Config:
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    briefings: BriefingsConfig = field(default_factory=BriefingsConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    source: str | None = None  # the file it was read from, for messages

    @property
    def content_path(self) -> Path:
        return Path(self.content.path)

    @property
    def data_dir(self) -> Path:
        return Path(self.storage.data_dir)

    @property
    def database_path(self) -> Path:
        if self.storage.database:
            return Path(self.storage.database)
        return self.data_dir / "briefing.sqlite3"


def _type_name(tp: Any) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        tp, str(tp)
    )


def _coerce(key: str, value: Any, tp: Any, problems: list[str]) -> Any:
    """Check one value against its annotated type; return it (converted where lossless)."""
    origin = getattr(tp, "__origin__", None)
    args: tuple[Any, ...] = getattr(tp, "__args__", ())
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{key}: expected a list, got {type(value).__name__}")
            return []
        return [_coerce(f"{key}[{i}]", v, args[0], problems) for i, v in enumerate(value)]
    if args and type(None) in args:  # Optional[X]
        if value is None:
            return None
        inner = next(a for a in args if a is not type(None))
        return _coerce(key, value, inner, problems)
    if tp is bool:
        if not isinstance(value, bool):
            problems.append(f"{key}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isdigit():
                return int(value)  # snowflakes are often quoted
            problems.append(f"{key}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{key}: expected a number, got {value!r}")
            return value
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            problems.append(f"{key}: expected a string, got {value!r}")
        return value
    return value


def _build(cls: type, data: Any, prefix: str, problems: list[str]) -> Any:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{prefix or 'config'}: expected a mapping, got {type(data).__name__}")
        return cls()
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.name != "source"}
    for key in data:
        if key not in known:
            where = f"{prefix}.{key}" if prefix else str(key)
            problems.append(f"{where}: unknown key (known: {', '.join(sorted(known))})")
    kwargs: dict[str, Any] = {}
    for name in known:
        if name not in data:
            continue
        where = f"{prefix}.{name}" if prefix else name
        tp = hints[name]
        if is_dataclass(tp):
            kwargs[name] = _build(tp, data[name], where, problems)  # type: ignore[arg-type]
        else:
            kwargs[name] = _coerce(where, data[name], tp, problems)
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - guarded by the checks above
        problems.append(f"{prefix or 'config'}: {exc}")
        return cls()


def _check_values(cfg: Config, problems: list[str], check_paths: bool) -> None:
    d = cfg.discord
    if not d.api_base_url.startswith(("http://", "https://")):
        problems.append("discord.api_base_url: must start with http:// or https://")
    if not d.gateway_url.startswith(("ws://", "wss://")):
        problems.append("discord.gateway_url: must start with ws:// or wss://")
    b = cfg.briefings
    if not _HHMM.match(str(b.default_time)):
        problems.append(f"briefings.default_time: {b.default_time!r} is not a time as HH:MM")
    try:
        ZoneInfo(str(b.default_timezone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"briefings.default_timezone: {b.default_timezone!r} is not an IANA time zone "
            "(such as Asia/Tokyo or Europe/London)"
        )
    if isinstance(b.catch_up_hours, float) and not 0 <= b.catch_up_hours <= 48:
        problems.append("briefings.catch_up_hours: must be between 0 and 48")
    if isinstance(b.max_sends_per_second, float) and not 0 < b.max_sends_per_second <= 50:
        problems.append("briefings.max_sends_per_second: must be above 0 and at most 50")
    if isinstance(cfg.health.port, int) and not 0 <= cfg.health.port <= 65535:
        problems.append("health.port: must be between 0 and 65535")
    if str(cfg.logging.level).upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        problems.append("logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    if isinstance(cfg.content.watch_debounce_ms, int) and cfg.content.watch_debounce_ms < 0:
        problems.append("content.watch_debounce_ms: must not be negative")
    if check_paths and not cfg.content_path.is_dir():
        problems.append(f"content.path: folder {str(cfg.content_path)!r} does not exist")


def _default_content_path() -> str:
    """`content` in the working directory, else the bundled folder beside the package."""
    if Path("content").is_dir():
        return "content"
    bundled = Path(__file__).resolve().parent.parent / "content"
    return str(bundled) if bundled.is_dir() else "content"


def load_config(path: str | Path | None = None, *, check_paths: bool = True) -> Config:
    """Read and validate `path` (or the defaults when None); raise ConfigError listing all problems.

    Relative paths in the file are taken relative to the working directory, as the README's
    commands run from the repository root.
    """
    raw: Any = {}
    source = None
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError([f"{path}: config file not found"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read config file ({exc})"]) from None
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise ConfigError([f"{path}{line}: {problem}"]) from None
    problems: list[str] = []
    if isinstance(raw, dict):
        raw.setdefault("content", {})
        if isinstance(raw["content"], dict) and "path" not in raw["content"]:
            raw["content"]["path"] = _default_content_path()
    cfg = _build(Config, raw, "", problems)
    if not problems:
        _check_values(cfg, problems, check_paths)
    if problems:
        prefix = f"{path}: " if path is not None else ""
        raise ConfigError([prefix + p for p in problems])
    return Config(
        **{f.name: getattr(cfg, f.name) for f in fields(Config) if f.name != "source"},
        source=source,
    )


def resolve_token(cfg: Config, environ: dict[str, str] | None = None) -> str:
    """The bot token from `DISCORD_TOKEN`, else from `discord.token_file`; never logged."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        return token
    if cfg.discord.token_file:
        try:
            token = Path(cfg.discord.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TokenError(
                f"cannot read discord.token_file {cfg.discord.token_file!r}: {exc.strerror}"
            ) from None
        if token:
            return token
        raise TokenError(f"discord.token_file {cfg.discord.token_file!r} is empty")
    raise TokenError(
        f"no Discord token: set the {TOKEN_ENV} environment variable "
        "(or discord.token_file in the config)"
    )
