"""Which police.uk crime rows repeat another, and why: the rules, on plain arrays.

A crime is one Crime ID. police.uk repeats an ID in three ways, each counted once and listed in
the data-quality report:

- a later month (the outcome changed and the crime was republished): counted in its first month
  only (unless the spec says ``repeated_crime_ids: keep_all``);
- the same month, the whole row repeated (some forces' files hold thousands a year);
- the same month, the same ID on a row that differs (a corrected location or type): the first
  row (in file and line order) is counted.

Rows without a Crime ID are never repeats: anti-social behaviour has none, and identical ASB
rows are distinct incidents at the same snapped location. Kept free of pandas categoricals so a
columnar reader can call it with whatever arrays it holds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


KEPT = 0
LATER_MONTH = 1
SAME_MONTH_WHOLE_ROW = 2
SAME_MONTH_SAME_ID = 3

REASONS = {
    LATER_MONTH: "crime ID already published in an earlier month (its outcome was updated): counted once, "
                 "in its first month",
    SAME_MONTH_WHOLE_ROW: "row repeats an earlier row of the same month exactly (same Crime ID): counted once",
    SAME_MONTH_SAME_ID: "crime ID already on an earlier row of the same month (the row differs): counted once, "
                        "as its first row",
}


def repeat_kinds(ids: np.ndarray, months: np.ndarray, whole_row_repeat: np.ndarray, several: np.ndarray) -> np.ndarray:
    """Per row, KEPT or the kind of repeat it is (rows in file/line order; ``ids`` the IDs' codes from
    :func:`engine.ingest.id_codes.id_codes`, BLANK where none; ``months`` text or codes).

    ``whole_row_repeat`` marks rows equal in every column read to an earlier row; ``several``: the positions of
    the rows whose ID is on two rows or more (:func:`engine.ingest.id_codes.on_several_rows`), the only ones that
    can repeat.
    """
    kinds = np.full(len(ids), KEPT, dtype=np.int8)
    if not len(several):
        return kinds
    frame = pd.DataFrame({"id": ids[several], "month": months[several], "at": several})
    frame = frame.sort_values(["month", "at"], kind="stable")
    later = (frame["month"] != frame.groupby("id", sort=False)["month"].transform("first")).to_numpy()
    same_month = frame.duplicated(["id", "month"]).to_numpy() & ~later
    at = frame["at"].to_numpy()
    kinds[at[later]] = LATER_MONTH
    whole = whole_row_repeat[at]
    kinds[at[same_month & whole]] = SAME_MONTH_WHOLE_ROW
    kinds[at[same_month & ~whole]] = SAME_MONTH_SAME_ID
    return kinds
