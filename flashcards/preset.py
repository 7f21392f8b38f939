"""The deck options preset shipped in a package (genanki writes none of its own).

It goes into the package's ``col.dconf`` in Anki's legacy JSON form (the
form a collection of schema 11 stores; Anki upgrades it on import), and
every deck of the package points at it. Anki's importer then:

* without "Import deck presets" (``with_deck_configs=False``, the desktop
  default) resets every imported deck to the user's default preset and
  leaves the user's presets alone;
* with it, adds the preset unless one with the same id exists, and sets it
  on every deck of the package.

The id is derived from the preset's settings, so a changed preset reaches
Anki as a new preset (an existing id is never overwritten, which also keeps
any change the user made to it in Anki).
"""

from __future__ import annotations

import hashlib
import json

from flashcards.config import PresetSettings

# Anki's own enum values (deck_config.proto).
GATHER_LOWEST_POSITION = 1
"""Gather new cards by position across all subdecks (not deck by deck)."""
SORT_ORDER_GATHERED = 1
"""Show new cards in the order gathered (not grouped by card template)."""


def preset_id(preset: PresetSettings) -> int:
    """A stable id for the preset's settings; large enough never to be Anki's default (1)."""
    payload = json.dumps(_settings(preset), sort_keys=True, ensure_ascii=False)
    digest = int.from_bytes(hashlib.blake2b(payload.encode("utf-8"), digest_size=5).digest(), "big")
    return 1_000_000_000_000 + digest % 1_000_000_000_000


def schema11(preset: PresetSettings, mod: int) -> dict:
    """The preset as Anki's legacy deck config JSON."""
    s = _settings(preset)
    return {
        "id": preset_id(preset),
        "mod": mod,
        "name": s["name"],
        "usn": 0,
        "maxTaken": 60,
        "autoplay": True,
        "timer": 0,
        "replayq": True,
        "dyn": False,
        "new": {
            "bury": s["bury"],
            "delays": s["learning_steps"],
            "initialFactor": 2500,
            "ints": [1, 4, 0],
            "order": 1,
            "perDay": s["new_per_day"],
        },
        "rev": {
            "bury": s["bury"],
            "ease4": 1.3,
            "ivlFct": 1.0,
            "maxIvl": s["maximum_interval"],
            "perDay": s["reviews_per_day"],
            "hardFactor": 1.2,
        },
        "lapse": {
            "delays": s["relearning_steps"],
            "leechAction": 1,
            "leechFails": 8,
            "minInt": 1,
            "mult": 0.0,
        },
        "newGatherPriority": GATHER_LOWEST_POSITION,
        "newSortOrder": SORT_ORDER_GATHERED,
        "buryInterdayLearning": s["bury"],
    }


def _settings(preset: PresetSettings) -> dict:
    return {
        "name": preset.name.strip(),
        "new_per_day": preset.new_per_day,
        "reviews_per_day": preset.reviews_per_day,
        "learning_steps": preset.minutes(preset.learning_steps),
        "relearning_steps": preset.minutes(preset.relearning_steps),
        "maximum_interval": preset.maximum_interval,
        "bury": preset.bury_siblings,
    }
