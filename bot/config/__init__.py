"""Configuration: one YAML file, validated completely at start, on pydantic models.

The bot must run with nothing but `DISCORD_TOKEN` set, so every key has a default; and a
mistyped key must be reported rather than silently ignored, so unknown keys are errors.
All problems are collected and reported together, each as `<file>: <dotted.key>: <message>`
(pydantic's errors translated into sentences by `bot.config.problems`). The environment
overrides two keys (pydantic-settings): `DISCORD_TOKEN` and `DATABASE_URL`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config.problems import problems_of
from bot.yamlsafe import safe_load

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg"
TOKEN_ENV = "DISCORD_TOKEN"
DATABASE_ENV = "DATABASE_URL"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """Raised with every problem found, one per line, each naming the key at fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class TokenError(Exception):
    """The token is missing or unreadable; the message never contains the token."""


def _check(test: Any, message: str) -> Any:
    """An AfterValidator that raises ValueError(message) unless test(value)."""

    def check(value: Any) -> Any:
        if not test(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _digits(value: Any) -> Any:
    """Integers are often quoted in YAML (Discord ids above all); digit strings count."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone (such as Asia/Tokyo or Europe/London)"
        ) from None
    return value


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(f"{value!r} is not a time as HH:MM")
    return value


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return value.upper()


Int = Annotated[int, BeforeValidator(_digits)]
HttpBase = Annotated[
    str,
    _check(lambda v: v.startswith(("http://", "https://")), "must start with http:// or https://"),
]
WebSocketUrl = Annotated[
    str, _check(lambda v: v.startswith(("ws://", "wss://")), "must start with ws:// or wss://")
]
Millis = Annotated[Int, _check(lambda v: v >= 0, "must not be negative")]
Port = Annotated[Int, _check(lambda v: 0 <= v <= 65535, "must be between 0 and 65535")]
CatchUpHours = Annotated[float, _check(lambda v: 0 <= v <= 48, "must be between 0 and 48")]
SendRate = Annotated[float, _check(lambda v: 0 < v <= 50, "must be above 0 and at most 50")]


class Section(BaseModel):
    """Strict types (a string is not a number, 1 is not true), no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DiscordConfig(Section):
    token_file: str | None = None  # a file holding the token (container secrets)
    api_base_url: HttpBase = DEFAULT_API_BASE_URL  # REST base including /api/v10
    gateway_url: WebSocketUrl = DEFAULT_GATEWAY_URL
    dev_guild_ids: list[Int] = Field(default_factory=list)
    # Only from DISCORD_TOKEN, never from the file, never dumped; SecretStr masks its repr.
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)


def _default_content_path() -> str:
    """`content` in the working directory, else the bundled folder beside the package."""
    if Path("content").is_dir():
        return "content"
    bundled = Path(__file__).resolve().parent.parent / "content"
    return str(bundled) if bundled.is_dir() else "content"


class ContentConfig(Section):
    path: str = Field(default_factory=_default_content_path, validate_default=True)
    watch: bool = False
    watch_debounce_ms: Millis = 1000

    @field_validator("path")
    @classmethod
    def _exists(cls, value: str, info: ValidationInfo) -> str:
        if (info.context or {}).get("check_paths") and not Path(value).is_dir():
            raise ValueError(f"folder {value!r} does not exist")
        return value


class StorageConfig(Section):
    data_dir: str = "data"
    # A SQLite file or a database URL; None (or "") means <data_dir>/briefing.sqlite3.
    # DATABASE_URL in the environment overrides it. Not in repr: a URL may hold a password.
    database: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, repr=False
    )


class BriefingsConfig(Section):
    default_time: Annotated[str, AfterValidator(_hhmm)] = "08:00"
    default_timezone: Annotated[str, AfterValidator(_time_zone)] = "UTC"
    catch_up_hours: CatchUpHours = 6.0
    max_sends_per_second: SendRate = 40.0


class InteractionsConfig(Section):
    """Answering every interaction in Discord's 3 s under load (docs/operations.md)."""

    # Answer "thinking…" first when an interaction has already waited this long.
    defer_after_ms: Millis = 250
    # With this many lookups being answered, further ones get "busy, try again".
    max_in_flight: Annotated[Int, _check(lambda v: v >= 1, "must be at least 1")] = 1000
    # Each user may run this many lookups per `per_user_seconds`; 0 turns the limit off.
    per_user_rate: Annotated[Int, _check(lambda v: v >= 0, "must not be negative")] = 10
    per_user_seconds: Annotated[float, _check(lambda v: v > 0, "must be above 0")] = 10.0


class AdminConfig(Section):
    owner_ids: list[Int] = Field(default_factory=list)


class HealthConfig(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 8080


class LoggingConfig(Section):
    level: Annotated[str, AfterValidator(_log_level)] = "INFO"


MAX_SHARDS = 65_536


def _shard_range(value: Any) -> Any:
    """`3` or `"0-1"`: the shards one process owns, as a string "A-B"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value}-{value}"
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+", text):
            return f"{text}-{text}"
        match = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
        if match is None:
            raise ValueError(f"{value!r} is not a shard range such as 0-1 or 3")
        first, last = int(match.group(1)), int(match.group(2))
        if first > last:
            raise ValueError(f"{value!r}: the first shard comes after the last")
        return f"{first}-{last}"
    return value


class ClusterConfig(Section):
    """Several processes on one PostgreSQL database (docs/scaling.md)."""

    # Total number of shards; null runs one gateway session for every guild, as before.
    shard_count: Annotated[
        Int | None,
        _check(lambda v: v is None or 1 <= v <= MAX_SHARDS, f"must be between 1 and {MAX_SHARDS}"),
    ] = None
    # The shards this process owns, "A-B"; null with shard_count set means all of them.
    shards: Annotated[str | None, BeforeValidator(_shard_range)] = None
    # Wait for the shards while another process owns them, and take over when it dies.
    standby: bool = False
    heartbeat_seconds: Annotated[
        float, _check(lambda v: 1 <= v <= 60, "must be between 1 and 60")
    ] = 5.0
    # How long /admin reload waits for the other processes to say they reloaded.
    reload_wait_seconds: Annotated[
        float, _check(lambda v: 1 <= v <= 120, "must be between 1 and 120")
    ] = 20.0

    @model_validator(mode="after")
    def _range_fits(self) -> ClusterConfig:
        if self.shards is not None and self.shard_count is None:
            raise ValueError("shards needs shard_count (the total number of shards)")
        if self.standby and self.shard_count is None:
            raise ValueError("standby needs shard_count and shards (the shards to wait for)")
        ids = self.shard_ids
        if ids is not None and self.shard_count is not None and ids[-1] >= self.shard_count:
            raise ValueError(
                f"shards {self.shards} do not exist with shard_count {self.shard_count} "
                f"(shards are 0-{self.shard_count - 1})"
            )
        return self

    @property
    def shard_ids(self) -> tuple[int, ...] | None:
        """The shards this process runs; None when it is not sharded."""
        if self.shards is not None:
            first, last = (int(p) for p in self.shards.split("-"))
            return tuple(range(first, last + 1))
        if self.shard_count is not None:
            return tuple(range(self.shard_count))
        return None

    @property
    def owns_a_range(self) -> bool:
        """Whether this process owns shards another process may also ask for: a range less
        than all shards, or a standby. Such a process needs PostgreSQL."""
        ids = self.shard_ids
        if ids is None or self.shard_count is None:
            return False
        return self.standby or len(ids) < self.shard_count


class Config(Section):
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    content: ContentConfig = Field(default_factory=ContentConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    briefings: BriefingsConfig = Field(default_factory=BriefingsConfig)
    interactions: InteractionsConfig = Field(default_factory=InteractionsConfig)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data: Any) -> Any:
        """`discord:` with nothing under it is YAML null: the section's defaults."""
        if isinstance(data, dict):
            return {k: {} if v is None and k in cls.model_fields else v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _remember_source(self, info: ValidationInfo) -> Config:
        self._source = (info.context or {}).get("source")
        return self

    @property
    def source(self) -> str | None:
        """The file it was read from, for messages."""
        return self._source

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


class EnvOverrides(BaseSettings):
    """The settings the environment gives: read by pydantic-settings from os.environ, or
    validated from a mapping (tests); blank values count as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", env_ignore_empty=True)

    discord_token: Annotated[SecretStr | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, validation_alias=TOKEN_ENV, repr=False
    )
    database_url: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, validation_alias=DATABASE_ENV, repr=False
    )

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> EnvOverrides:
        return cls() if environ is None else cls.model_validate(dict(environ))

    def apply(self, raw: dict[str, Any]) -> dict[str, Any]:
        """`raw` (the file's mapping) with these values put in place."""
        sections: dict[str, dict[str, Any]] = {
            "discord": {"token": self.discord_token},
            "storage": {"database": self.database_url},
        }
        out = dict(raw)
        for section, values in sections.items():
            given = {k: v for k, v in values.items() if v is not None}
            current = out.get(section)
            if given and (current is None or isinstance(current, dict)):
                out[section] = {**(current or {}), **given}
        return out


def load_config(
    path: str | Path | None = None,
    *,
    check_paths: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read and validate `path` (or the defaults when None) with the environment's overrides
    (`environ`, default os.environ); raise ConfigError listing all problems.

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
            raw = safe_load(text) or {}  # refuses anchors/aliases (billion laughs)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise ConfigError([f"{path}{line}: {problem}"]) from None
    problems: list[str] = []
    if isinstance(raw, dict) and isinstance(raw.get("discord"), dict) and "token" in raw["discord"]:
        raw["discord"] = {k: v for k, v in raw["discord"].items() if k != "token"}
        problems.append(
            f"discord.token: not read from the config file; set {TOKEN_ENV} (or discord.token_file)"
        )
    data = EnvOverrides.read(environ).apply(raw) if isinstance(raw, dict) else raw
    context = {"check_paths": check_paths, "source": source}
    cfg: Config | None = None
    try:
        cfg = Config.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(problems_of(exc, Config))
    if problems or cfg is None:
        prefix = f"{path}: " if path is not None else ""
        raise ConfigError([prefix + p for p in problems])
    return cfg


def resolve_token(cfg: Config, environ: Mapping[str, str] | None = None) -> str:
    """The bot token: `DISCORD_TOKEN` (from `environ` when given, else as read at load),
    else the contents of `discord.token_file`; never logged."""
    if environ is not None:
        token = environ.get(TOKEN_ENV, "").strip()
    else:
        secret = cfg.discord.token
        token = secret.get_secret_value().strip() if secret is not None else ""
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
