"""Say so when a run is trained anew because the data at its path changed since a stored run.

A store record of a run on files carries its data's identity (``data``: digest, resolved path,
files' sizes and times). When a planned run finds no record of its own but one of the same model
and seed whose identity is the planned run's with only the data digest differing, read from the
same resolved path, the data there changed: the stored run stays (under its own fingerprint, so
it is never averaged with the new one) and the new run trains. ``data_change_notices`` names that,
one line per store, path and earlier digest.
"""

from __future__ import annotations

from typing import Iterable

from shiftmsa.config import RunConfig
from shiftmsa.data.identity import DataIdentity, describe_change
from shiftmsa.store.fingerprint import fingerprint_digest


def data_change_notices(store: str, records: list[dict], runs: Iterable[tuple[RunConfig, DataIdentity | None]]
                        ) -> list[str]:
    """One line per earlier state of the data behind ``runs`` (each a run still to train in
    ``store``: its one-seed configuration and its data's identity) that ``records`` hold runs of.
    """
    changed: dict[str, tuple[DataIdentity, DataIdentity, list[str]]] = {}
    for config, data in runs:
        if data is None:
            continue
        label, seed = config.model.label, config.train.seeds[0]
        for record in records:
            if (record.get("model"), record.get("seed")) != (label, seed) or not isinstance(record.get("data"), dict):
                continue
            stored = DataIdentity.from_record(record["data"])
            if (stored.path == data.path and stored.digest != data.digest
                    and fingerprint_digest(config, stored) == record.get("fingerprint")):
                changed.setdefault(stored.digest, (stored, data, []))[2].append(f"{label} seed {seed}")
    return [f"the data at {new.path} changed since {', '.join(runs)} in {store} trained on it "
            f"({describe_change(old, new)}): those records stay apart under their own fingerprint; "
            f"these runs train anew on the data as it is now"
            for old, new, runs in changed.values()]
