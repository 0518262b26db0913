"""Checking a ``--dask`` address before any run: a bad or unreachable scheduler is a clear
error in a few seconds, not a traceback after the client's 30-second timeout."""
from __future__ import annotations

from sim.scenario.errors import UserError

CONNECT_SECONDS = 5.0


class ClusterError(UserError):
    """The Dask cluster cannot be used; the message says why."""


def check_dask(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """Refuse (ClusterError) an address of no reachable scheduler; 'local' needs only the extra."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise ClusterError("--dask needs the optional extra: pip install 'followup-sim[dask]'") from None
    if address == "local":
        return
    if not address.strip():
        raise ClusterError("--dask: give a scheduler address such as tcp://host:8786, or 'local'")
    try:
        client = Client(address, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the user's to fix
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ClusterError(f"--dask {address!r}: cannot reach a Dask scheduler there within {timeout:g} s "
                           f"({reason}); expected an address such as tcp://host:8786, or 'local'") from None
    client.close()
