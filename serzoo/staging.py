"""Concurrent and interrupted runs: an exclusive lock per dataset build, and cleanup of the staging folders
that a killed run leaves behind (TFDS ``incomplete.*`` folders, export ``.partial-<pid>-*`` folders), and of the
empty ``tmp*tfds`` folder TFDS leaves in the system's temp folder for every builder of a dataset not built yet
(:func:`private_tempdir`).

A build holds :func:`exclusive_lock` from before it looks for a built dataset until TFDS has renamed its
result into place, so a second build of the same dataset waits and then reuses the first one's result, and
any ``incomplete.*`` folder of that dataset found while holding the lock belongs to a dead run. An export
stages in a folder named after its process ID, so a folder whose process is gone is safe to delete.

Example:
    >>> with exclusive_lock(path, "waiting for another build of emodb/is11"):   # doctest: +SKIP
    ...     builder.download_and_prepare()
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import shutil
import sys
import tempfile

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent builds are not serialised there
    fcntl = None

#: TFDS's prefix of a dataset folder being written (``tensorflow_datasets.core.constants.INCOMPLETE_PREFIX``)
TFDS_INCOMPLETE = "incomplete."
_PARTIAL = re.compile(r"\.partial-(\d+)-")


@contextlib.contextmanager
def exclusive_lock(path, waiting_message: str, *, wait: bool = True):
    """Hold an exclusive ``flock`` on ``path`` (created if missing); if another process holds it, print
    ``waiting_message`` once to stderr and wait, or (``wait=False``) raise :class:`serzoo.errors.BusyError` with
    ``waiting_message`` and the holder's process ID. The lock goes with the process, also when it is killed."""
    from serzoo.errors import BusyError

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    handle.seek(0)
                    holder = handle.read().strip()
                    raise BusyError(f"{waiting_message} (process {holder or '?'} holds {path})") from None
                print(waiting_message, file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))  # who holds it, for the message of a process that does not wait
            handle.flush()
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def private_tempdir():
    """Point :mod:`tempfile` at a private folder, removed on exit. A TFDS builder constructed before its dataset
    exists calls ``DatasetInfo.initialize_from_bucket``, whose ``tempfile.mkdtemp("tfds")`` is never removed:
    without this, every first build leaves an empty ``/tmp/tmp*tfds`` behind."""
    saved, private = tempfile.tempdir, tempfile.mkdtemp(prefix="serzoo-builder-")
    tempfile.tempdir = private
    try:
        yield private
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(private, ignore_errors=True)


def remove_incomplete_tfds(config_dir) -> list[pathlib.Path]:
    """Delete the TFDS ``incomplete.*`` folders in ``config_dir`` (``<data_dir>/<name>/<config>``); call it only
    while holding that dataset's :func:`exclusive_lock`, when no live build can own them. Returns them."""
    stale = sorted(pathlib.Path(config_dir).glob(f"{TFDS_INCOMPLETE}*"))
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def umask() -> int:
    """This process's umask (read without changing it where ``/proc`` says it; else set and restored at once)."""
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path) -> None:
    """Give ``path`` (and, for a folder, everything under it) the permissions an ordinary new file or folder gets
    under the umask: ``tempfile`` creates 0600 files and 0700 folders, which other users of a shared machine could
    not read once published."""
    path = pathlib.Path(path)
    mask = umask()
    for item in [path, *(path.rglob("*") if path.is_dir() else ())]:
        if not item.is_symlink():
            item.chmod((0o777 if item.is_dir() else 0o666) & ~mask)


def partial_prefix(name: str) -> str:
    """Prefix of this process's staging folder for ``name``: ``.<name>.partial-<pid>-``."""
    return f".{name}.partial-{os.getpid()}-"


def pid_alive(pid: int) -> bool:
    """Whether a process with this ID exists (a reused ID counts as alive: nothing is deleted then)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(folder) -> list[pathlib.Path]:
    """Delete the ``.*.partial-<pid>-*`` staging folders in ``folder`` whose process is gone. Returns them."""
    folder = pathlib.Path(folder)
    stale = []
    for path in sorted(folder.glob(".*.partial-*")) if folder.is_dir() else []:
        match = _PARTIAL.search(path.name)
        if match and not pid_alive(int(match[1])):
            shutil.rmtree(path, ignore_errors=True)
            stale.append(path)
    return stale
