"""Finished units of a long experiment on disk, so that an interrupted run resumes where it stopped.

A unit is one (seed, fold, method) cell of the augmentation harness. Each finished unit is one JSON
line appended (and flushed to disk) to ``units.jsonl``; the first line records the settings, and a
run with different settings refuses to mix its results with the old ones. Appends hold an
exclusive lock, so processes running disjoint units may share one store. Arrays kept for the
figures go beside it as ``examples/<method>.npz``.
"""

from __future__ import annotations

import fcntl
import json
import os
import pathlib
import shutil

import numpy as np


class UnitStore:
    """Append-only record of finished units in ``directory/units.jsonl``.

    Args:
        directory: where the run writes (e.g. the reproduction's ``--output-dir``).
        settings: JSON-ready settings that must match for stored units to be reused.
    """

    FILE = "units.jsonl"

    def __init__(self, directory, settings: dict):
        self.directory = pathlib.Path(directory)
        self.path = self.directory / self.FILE
        self.settings = json.loads(json.dumps(settings))
        self.units: dict[str, dict] = {}
        self._read_bytes = 0  # how much of the file has been read (units appended later are picked up)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._open()

    @classmethod
    def discard(cls, directory) -> None:
        """Forget the finished units in ``directory`` (``--fresh``): its ``units.jsonl`` and ``examples/``. A
        ``units.jsonl`` that is not a unit store (its first line no settings record) is someone else's file: refused,
        not deleted."""
        path = pathlib.Path(directory) / cls.FILE
        if path.is_file():
            with path.open("rb") as handle:
                first = handle.readline()
            try:
                ours = "settings" in json.loads(first)
            except (json.JSONDecodeError, UnicodeDecodeError, TypeError):
                ours = False
            if not ours:
                raise ValueError(
                    f"{path} is not a serzoo unit store (its first line is no settings record): --fresh deletes only "
                    "a run's own units; give another --output-dir"
                )
            path.unlink()
        shutil.rmtree(pathlib.Path(directory) / "examples", ignore_errors=True)

    def _open(self) -> None:
        """Create the file with its settings line, or load it; under the lock, so that processes
        starting together on a new directory write the settings once."""
        with self.path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            content = handle.read()
            complete = content[: content.rfind(b"\n") + 1]
            if len(complete) < len(content):  # a line cut short by an interruption: redo that unit
                handle.truncate(len(complete))
            if not complete:
                complete = _write_line(handle, {"settings": self.settings})
            self._read_bytes = len(complete)
        lines = complete.decode("utf-8").splitlines()
        try:
            header = json.loads(lines[0])["settings"] if lines else None
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ValueError(
                f"{self.path}: first line is not a settings record ({err}); delete the file to start the run afresh"
            ) from err
        if header != self.settings:
            changed = _changed_settings(header, self.settings)
            raise ValueError(
                f"{self.path} holds units of a run with different settings ({', '.join(changed)}); "
                "use another output directory, or --fresh (delete the file) to start afresh"
            )
        for number, line in enumerate(lines[1:], start=2):
            try:
                unit = json.loads(line)
                if unit.get("settings") == header:  # repeated by stores started together (older serzoo)
                    continue
                self.units[unit["key"]] = unit["payload"]
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                raise ValueError(
                    f"{self.path}, line {number}: not a unit record; delete the file (or pass --fresh) to start afresh"
                ) from None

    def _append(self, record: dict) -> None:
        try:
            with self.path.open("ab") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # one whole line at a time, whoever else appends
                _write_line(handle, record)
        except OSError as err:  # disk full: a line cut short is dropped (and the unit redone) by the next run
            from serzoo.report import write_error

            raise write_error(self.path, err) from err

    def refresh(self) -> None:
        """Pick up units appended by other processes sharing this store since the last read."""
        with self.path.open("rb") as handle:
            handle.seek(self._read_bytes)
            new = handle.read()
        complete = new[: new.rfind(b"\n") + 1]
        self._read_bytes += len(complete)
        for line in complete.decode("utf-8").splitlines():
            unit = json.loads(line)
            if "key" in unit:  # (the settings line, when this process created the file)
                self.units[unit["key"]] = unit["payload"]

    def get(self, key: str) -> dict | None:
        """The payload of a finished unit (this process's or another's sharing the store), or ``None``."""
        if key not in self.units:
            self.refresh()
        return self.units.get(key)

    def add(self, key: str, payload: dict) -> None:
        """Record a finished unit (durably, before the run moves on)."""
        payload = json.loads(json.dumps(payload))
        self._append({"key": key, "payload": payload})
        self.units[key] = payload

    def import_units(self, directory, keep) -> int:
        """Add the finished units of another run's store in ``directory`` whose key passes ``keep`` and that this
        store lacks (e.g. the baselines of another search's evaluation, so that they are not computed again); the
        other store's settings must equal this one's. Returns how many units were added."""
        source = pathlib.Path(directory) / self.FILE
        if not source.exists():
            raise FileNotFoundError(f"{source}: no finished units to reuse (the directory of a finished run?)")
        lines = source.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0]).get("settings") if lines else None
        if header != self.settings:
            raise ValueError(
                f"{source}: its units were computed with other settings "
                f"({', '.join(_changed_settings(header, self.settings))}) and cannot be reused here"
            )
        self.refresh()
        added = 0
        for line in lines[1:]:
            try:
                unit = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by an interruption
                continue
            key = unit.get("key")
            if key is not None and keep(key) and key not in self.units:
                self.add(key, unit["payload"])
                added += 1
        return added

    def save_example(self, method: str, example: dict) -> None:
        """Keep a method's figure material: arrays plus its loss history."""
        from serzoo.report import atomic_path

        arrays = {k: np.asarray(v) for k, v in example.items() if k not in ("history", "fold")}
        with atomic_path(self.directory / "examples" / f"{method}.npz") as tmp, tmp.open("wb") as stream:
            np.savez(
                stream, history=json.dumps(example.get("history", {})), fold=str(example.get("fold", "")), **arrays
            )

    def _example_files(self) -> list[pathlib.Path]:
        """The saved examples (not the hidden temporary files of an interrupted write)."""
        return sorted(p for p in (self.directory / "examples").glob("*.npz") if not p.name.startswith("."))

    def example_methods(self) -> set[str]:
        """Methods whose example is saved."""
        return {path.stem for path in self._example_files()}

    def load_examples(self) -> dict:
        """Every saved example, keyed by method."""
        examples = {}
        for path in self._example_files():
            with np.load(path) as data:
                example = {k: data[k] for k in data.files if k not in ("history", "fold")}
                example["history"] = json.loads(str(data["history"]))
                example["fold"] = str(data["fold"])
            examples[path.stem] = example
        return examples


def _changed_settings(header: dict | None, settings: dict) -> list[str]:
    """The fields in which a store's settings record differs from ``settings``."""
    return sorted(k for k in set(header or {}) | set(settings) if (header or {}).get(k) != settings.get(k))


def _write_line(handle, record: dict) -> bytes:
    """Append ``record`` as one JSON line to a binary handle the caller has locked; durable on return."""
    line = (json.dumps(record) + "\n").encode("utf-8")
    handle.write(line)
    handle.flush()
    os.fsync(handle.fileno())
    return line
