"""Whether a store can take a write right now: a small write of the probe time, read back.
A store that answers reads but cannot write (read-only file, full disk, a deleted SQLite
file) must not look healthy, so the probe writes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.base import Store, StoreError, StoreHealth

PROBE_KEY = "health.probe"


async def probe(store: Store, backend: str) -> StoreHealth:
    """Never raises: a failed probe is a StoreHealth that says why."""
    stamp = datetime.now(UTC).isoformat()
    try:
        await store.set_state(PROBE_KEY, stamp)
        read = await store.get_state(PROBE_KEY)
    except StoreError as exc:
        return StoreHealth(False, backend, exc.reason, str(exc))
    if read != stamp:
        return StoreHealth(False, backend, "unavailable", "the probe write did not read back")
    return StoreHealth(True, backend)
