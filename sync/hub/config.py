"""The hub's TOML config, checked before anything starts.

It follows :mod:`common.config`'s rules: every problem is
one :class:`~common.config.ConfigError` line naming the file, the key and what
is wrong, and unknown keys are errors. Without a file the hub runs with the
defaults below, keeping its store in ``./lanebox-hub`` (as ``lanebox demo``
keeps its in ``./lanebox-demo``)::

    [hub]
    id = "GBDVR-HUB"            # letters, digits, '-'
    host = "127.0.0.1"
    port = 9090
    data_dir = "/var/lib/lanebox-hub"   # relative paths: against this file's folder
    offline_after_s = 15        # a lane silent this long shows as offline
    database = "postgresql://lanebox@db.port/hub"   # optional: PostgreSQL instead of
                                # data_dir's SQLite file (needed for several workers)
    redis_url = "redis://127.0.0.1:6379/0"  # optional: several workers share live pushes
    tls_cert = "hub.crt"        # optional, both or neither: serve HTTPS (lanes then
    tls_key = "hub.key"         # verify it, with [upstream] ca_file for a private CA)
    max_connections = 200       # connections served at once (docs/server.md)
    read_timeout_s = 10         # to send a request head; the longest silence after it
    trusted_proxies = ["127.0.0.1"]  # optional: reverse proxies whose X-Forwarded-For is believed

    [alarms]                    # optional: how the board weighs alarms
    inspection_warn_min = 20    # an inspection open longer highlights its lane
    [alarms.severity]           # optional: a kind's (or device trouble's) severity
    weight_discrepancy = "critical"   # critical | major | minor | warning
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.config import Section, config_path, parse_tls, read_toml
from common.erasure import RetentionPeriods, parse_retention
from common.web.client import Network, trusted_proxies
from common.web.limits import ServerLimits, parse_limits
from sync.hub.alarms import DEFAULT_SEVERITY, LEVELS, AlarmSettings
from sync.hub.countersign import CountersignSettings, parse_countersign_settings

DEFAULT_PORT = 9090
DEFAULT_DATA_DIR = Path("lanebox-hub")
DEFAULT_OFFLINE_AFTER_S = 15.0
#: a hub serves every lane's sync and every control-room board: more connections than a lane
DEFAULT_LIMITS = ServerLimits(max_connections=200)


@dataclass(frozen=True)
class HubConfig:
    hub_id: str
    host: str
    port: int
    data_dir: Path
    source: str = "<defaults>"
    offline_after_s: float = DEFAULT_OFFLINE_AFTER_S
    database: str | None = None
    redis_url: str | None = None
    tls: tuple[Path, Path] | None = None  # (certificate chain, private key): serve HTTPS
    limits: ServerLimits = DEFAULT_LIMITS
    trusted_proxies: tuple[Network, ...] = ()  # reverse proxies (nginx) whose X-Forwarded-For is believed
    alarms: AlarmSettings = AlarmSettings()
    countersign: CountersignSettings = CountersignSettings()  # [countersign], [timestamping]
    #: ``[retention]``: days the hub keeps a case's key after it closed, per record type (docs/hub.md)
    retention: RetentionPeriods = RetentionPeriods({})

    @property
    def store_path(self) -> Path:
        return self.data_dir / "hub.sqlite3"

    @property
    def store_location(self) -> str:
        """What :class:`~sync.hub.store.HubStore` opens: the PostgreSQL URL, or the SQLite file."""
        return self.database or str(self.store_path)


def default_config() -> HubConfig:
    """What ``lanebox hub`` runs with when no ``--config`` is given."""
    return HubConfig(hub_id="HUB", host="127.0.0.1", port=DEFAULT_PORT,
                     data_dir=DEFAULT_DATA_DIR.resolve())


def load_hub_config(path: str | Path) -> HubConfig:
    """Read and validate a hub config file; raises :class:`~common.config.ConfigError`."""
    raw, source, base_dir = read_toml(path)
    return parse_hub_config(raw, source=source, base_dir=base_dir)


def parse_hub_config(raw: dict[str, Any], *, source: str = "<config>",
                     base_dir: Path = Path(".")) -> HubConfig:
    """Validate an already-parsed hub config mapping."""
    top = Section(source, "", raw)
    hub = Section(source, "hub", top.get("hub", dict, required=True))
    hub_id = hub.site_id()
    host = hub.get("host", str, "127.0.0.1")
    port = hub.port("port", DEFAULT_PORT)
    data_dir = config_path(hub.get("data_dir", str, required=True), base_dir)
    offline_after_s = float(hub.get("offline_after_s", (int, float), DEFAULT_OFFLINE_AFTER_S))
    if not 0 < offline_after_s <= 3600:
        raise hub.fail("offline_after_s", "must be more than 0 and at most 3600 seconds")
    database = hub.get("database", str, None)
    if database is not None and not database.startswith(("postgresql://", "postgres://")):
        raise hub.fail("database", "must be a postgresql:// URL (leave it out for the "
                                   "embedded SQLite store in data_dir)")
    redis_url = hub.get("redis_url", str, None)
    if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise hub.fail("redis_url", "must be a redis://, rediss:// or unix:// URL")
    tls = parse_tls(hub, base_dir)
    limits = parse_limits(hub, DEFAULT_LIMITS)
    proxies = trusted_proxies(hub)
    hub.done()
    alarms = parse_alarm_settings(Section(source, "alarms", top.get("alarms", dict, {})))
    countersign = parse_countersign_settings(top)
    retention = parse_retention(top)
    top.done()
    return HubConfig(hub_id=hub_id, host=host, port=port, data_dir=data_dir, source=source,
                     offline_after_s=offline_after_s, database=database, redis_url=redis_url,
                     tls=tls, limits=limits, trusted_proxies=proxies, alarms=alarms, countersign=countersign,
                     retention=retention)


def parse_alarm_settings(section: Section) -> AlarmSettings:
    """``[alarms]``: the inspection threshold and ``[alarms.severity]``, each
    key a known alarm kind or device trouble, each value a severity."""
    warn = section.get("inspection_warn_min", int, AlarmSettings().inspection_warn_min)
    if not 1 <= warn <= 24 * 60:
        raise section.fail("inspection_warn_min", "must be 1 to 1440 minutes")
    severity = Section(section.source, section.key("severity"), section.get("severity", dict, {}))
    chosen = dict(DEFAULT_SEVERITY)
    for kind in sorted(severity.table):
        level = severity.get(kind, str)
        if kind not in DEFAULT_SEVERITY:
            raise severity.fail(kind, f"not an alarm kind or device trouble (one of "
                                      f"{', '.join(sorted(DEFAULT_SEVERITY))})")
        if level not in LEVELS:
            raise severity.fail(kind, f"must be one of {', '.join(LEVELS)}")
        chosen[kind] = level
    severity.done()
    section.done()
    return AlarmSettings(severity=chosen, inspection_warn_min=warn)
