"""Area classification by LSOA: each LSOA's urban/rural flag and area type, as the demo's lookup.

No Output Area Classification file is bundled, but the seeds analyse crime by OAC ("City Living
… the type of areas most affected by crime"), so a spec needs an LSOA -> area-type table to show
how that analysis works. This writes the classification :mod:`engine.synthetic.profile` already
gives every LSOA (the same one the probation caseload's OAC column uses): urban/rural drawn from
the LSOA's crime intensity, then a 2001 OAC supergroup name drawn from shares per intensity band.
It is derived from the LSOAs' own police.uk crime rates, so busy areas come out "City Living" or
"Constrained by Circumstances" by construction: it illustrates the method and says nothing about
real places. The file says so on its first line.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.context import Context
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table

SOURCE_ID = "area_classification"
FILE_NAME = "area_classification.csv"
ENCODING = "utf-8"
HEADER = ["LSOA Code", "LSOA Name", "District", "Urban/Rural", "Supergroup"]
PROVENANCE = (
    "Area classification by LSOA (SYNTHETIC). Not the ONS Output Area Classification: a made-up LSOA -> "
    "area type table using the 2001 OAC supergroup names (Blue Collar Communities, City Living, Countryside, "
    "Prospering Suburbs, Constrained by Circumstances, Typical Traits, Multicultural) and an urban/rural flag. "
    "Each LSOA's type is drawn from its own police.uk crime rate (busier LSOAs are more often urban, and the "
    "busiest urban third more often City Living, Constrained by Circumstances or Multicultural), so crime "
    "rates by this classification show how the analysis works, not which real places are affected."
)


def generate(ctx: Context) -> dict:
    geo = ctx.geography
    profile = ctx.profile
    urban = np.where(profile.urban, "Urban", "Rural").astype(object)
    table = Table(
        preamble=["Area classification by LSOA (SYNTHETIC DEMO DATA: not the ONS Output Area Classification)",
                  "Source: simulated by Saferbook (engine.synthetic) from each LSOA's police.uk crime rate; "
                  "2001 OAC supergroup names"],
        header=HEADER,
        columns=[geo.lsoa_codes.astype(object), geo.lsoa_names.astype(object),
                 geo.district_names[geo.lsoa_district].astype(object), urban, profile.classification.astype(object)])
    supergroups = {str(name): int(n) for name, n in zip(*np.unique(profile.classification.astype(str), return_counts=True))}
    return publish(ctx, SOURCE_ID, FILE_NAME, {None: table}, encoding=ENCODING,
                   description="LSOA -> urban/rural and area classification supergroup", provenance=PROVENANCE,
                   date_forms={}, markers={}, bad_rows={}, supergroups=supergroups,
                   urban_lsoas=int(profile.urban.sum()))
