"""Small English helpers for the sentences and notes the indicators write.

Names in those sentences come from specs and partner sheets ("Four districts", "Hinckley and Bosworth"),
so their grammar cannot be fixed in a template string: "Four districts's" reads as a mistake to a partner.
"""
from __future__ import annotations


def possessive(name: str) -> str:
    """"Leicestershire" -> "Leicestershire's"; a plural name ending in s takes the apostrophe alone
    ("Four districts" -> "Four districts'"), as British style guides write it for plurals. A singular name
    ending in s ("Wales") is written the same way, which Guardian and GOV.UK style also accept."""
    stripped = name.rstrip()
    if not stripped:
        return name
    return f"{stripped}'" if stripped[-1] in "sS" else f"{stripped}'s"
