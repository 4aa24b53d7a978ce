"""Golden Block Kit JSON for one fixed sample brief.

Regenerate after an intended change to the layout:
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bot.render.blocks import brief_to_message
from tests.render.samples import sample_brief

GOLDEN = Path(__file__).parent / "golden" / "brief_blocks.json"


def test_sample_brief_blocks_match_golden() -> None:
    blocks = brief_to_message(
        sample_brief(), new_marks={"Prisoner exchanges resume under the deal.": "new"}
    ).blocks
    rendered = json.dumps(blocks, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert GOLDEN.exists(), f"no golden file: run with UPDATE_GOLDEN=1 to create {GOLDEN}"
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == blocks
