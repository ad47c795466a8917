"""The Japanese catalogue is complete: no untranslated or fuzzy (guessed) messages."""

from __future__ import annotations

import subprocess
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_reviewed_japanese_translation() -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()
    assert "translated messages" in statistics
    assert "fuzzy" not in statistics, statistics
    assert "untranslated" not in statistics, statistics
