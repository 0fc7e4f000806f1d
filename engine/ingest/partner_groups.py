"""Spec-defined partner areas made of several of the lookup's areas (``geography.partner_areas.groups``).

Two districts that work as one Community Safety Partnership, say, though the ONS lookup lists them apart.
Each group takes its members' place among the partner areas; a small area in a member belongs to the group.
"""
from __future__ import annotations

import pandas as pd

from engine.errors import Problem, SpecError
from engine.spec.models import PartnerGroup
from engine.spec.suggest import did_you_mean


def grouped_partners(partners: pd.DataFrame, groups: list[PartnerGroup], code: str,
                     name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The partner areas with each group in its members' place, and each member's code -> its group's code.

    A group's row keeps the lookup's columns on which all its members agree (its force, say), so that a
    dashboard's ``where`` can still pick it; the others are left empty.
    """
    if not groups:
        return partners, {}
    partners = partners.drop_duplicates(code)
    by_text = {str(v).casefold(): str(c) for c, n in zip(partners[code], partners[name]) for v in (c, n)}
    group_of: dict[str, str] = {}
    rows, problems = [], []
    for g, group in enumerate(groups):
        where = f"geography.partner_areas.groups[{g}]"
        codes = []
        for member in group.members:
            found = by_text.get(member.strip().casefold())
            if found is None:
                problems.append(Problem(f"{member!r} is not one of the partner areas"
                                        f"{did_you_mean(member, [str(n) for n in partners[name]])}",
                                        key_path=f"{where}.members"))
            elif found in group_of:
                problems.append(Problem(f"{member!r} is already in group {group_of[found]!r}: an area can be in one "
                                        f"group", key_path=f"{where}.members"))
            else:
                group_of[found] = group.code
                codes.append(found)
        if group.code in set(partners[code].astype(str)) - set(codes):
            problems.append(Problem(f"code {group.code!r} is another partner area's", key_path=f"{where}.code"))
        members = partners[partners[code].astype(str).isin(codes)]
        shared = {c: members[c].iloc[0] for c in partners.columns if len(members) and members[c].nunique(dropna=False) == 1}
        rows.append({**shared, code: group.code, name: group.name})
    if problems:
        raise SpecError(problems)
    kept = partners[~partners[code].astype(str).isin(group_of)]
    return pd.concat([kept, pd.DataFrame(rows)], ignore_index=True), group_of
