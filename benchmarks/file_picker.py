"""How fast the @ file picker lists a big tree and answers each key.

A synthetic project of 19,650 files to list (code, docs, images), binaries beside them and an
ignored build folder of 5,000 more: seconds to list it (in a thread, as the picker does), then
milliseconds per
key for queries typed a letter at a time (each key narrows the last key's matches, as in the
picker). Goals: listing <= 1 s, each key <= 50 ms (keys are handled on the UI's thread).
Run from the repository root: python benchmarks/file_picker.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coda_tui.services.attachments import project_files  # noqa: E402
from coda_tui.ui.screens.file_picker import FilePickerScreen  # noqa: E402

QUERIES = ("attachbar", "srcmainpy", "readme", "testsnap")


def make_tree(root: Path) -> None:
    (root / ".gitignore").write_text("build/\n*.pyc\n")
    for package in range(150):
        for module in range(100):
            folder = root / "src" / f"package_{package}" / f"sub_{module % 10}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"module_{module}.py").write_text("x = 1\n" * 20)
            (folder / f"module_{module}.pyc").write_bytes(b"\0" * 64)
        for doc in range(30):
            (root / "docs" / f"part_{package}").mkdir(parents=True, exist_ok=True)
            (root / "docs" / f"part_{package}" / f"page_{doc}.md").write_text("# page\n")
            (root / "docs" / f"part_{package}" / f"data_{doc}").write_bytes(b"\x00\x01")
        (root / "assets").mkdir(exist_ok=True)
        (root / "assets" / f"attachment_bar_{package}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for built in range(5_000):
        (root / "build" / f"b{built % 50}").mkdir(parents=True, exist_ok=True)
        (root / "build" / f"b{built % 50}" / f"out_{built}.txt").write_text("built\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_tree(root)
        started = time.perf_counter()
        files, cut = project_files(root)
        listing = time.perf_counter() - started
        picker = FilePickerScreen(root)
        picker.files = files
        keys: list[float] = []
        for query in QUERIES:
            picker._narrowed = ("", [])
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                picker.matches(query[:end])
                keys.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "files_listed": len(files),
                "cut": cut,
                "listing_s": round(listing, 3),
                "key_ms_median": round(statistics.median(keys), 1),
                "key_ms_max": round(max(keys), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
