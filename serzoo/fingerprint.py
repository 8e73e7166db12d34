"""Fingerprint of a corpus copy, recorded with a built dataset so that a dataset built from other files is
never reused silently.

The fingerprint is the SHA-256 of every file's relative path and size (hidden files left out): it costs one
``stat`` per file (EmoDB's 535 files: milliseconds; a content hash of IEMOCAP would read gigabytes on every
load) and catches added, removed, renamed, truncated or otherwise resized files, including label files. It
does not see a file rewritten in place with the same size; rebuild with ``--rebuild`` after such an edit.
"""

from __future__ import annotations

import hashlib
import os
import pathlib


def source_fingerprint(folder) -> dict:
    """``{"manual_dir", "files", "bytes", "sha256"}`` of the files under ``folder`` (symlinks followed)."""
    root = pathlib.Path(folder).resolve()
    digest, files, size = hashlib.sha256(), 0, 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = os.path.join(dirpath, name)
            nbytes = os.stat(path).st_size
            digest.update(f"{pathlib.Path(path).relative_to(root).as_posix()}\0{nbytes}\n".encode())
            files, size = files + 1, size + nbytes
    return {"manual_dir": str(root), "files": files, "bytes": size, "sha256": digest.hexdigest()}


def same_source(recorded: dict, current: dict) -> bool:
    """Whether two fingerprints describe the same files (wherever the copies are)."""
    return all(recorded.get(k) == current.get(k) for k in ("files", "bytes", "sha256"))


def describe(fingerprint: dict) -> str:
    return f"{fingerprint['manual_dir']} ({fingerprint['files']} files, {fingerprint['bytes']:,} bytes)"
