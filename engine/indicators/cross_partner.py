"""Every partner area's protected workbook checked together: one status per figure, whoever shows it.

A protected workbook shows other partner areas' figures: the Comparisons sheet every partner area's count of an
indicator (its rate, with the population shown, gives the count back), a breakdown laid out by partner area every
partner area's counts of each category, and every workbook the benchmark's counts (the benchmark rate, a
breakdown's benchmark column), each the sum of the partner areas' own. A reader may hold every partner's workbook.
So:

* partner q's figure is one key of q's own problem (:func:`engine.indicators.disclosure.hidden_numbers`): it is
  hidden, in every workbook that shows it, exactly when q's check hides it;
* a benchmark's count is a *shared total* (``("link", …)``), with one status in every workbook;
* each partner's check sees the others through the shared totals that any hidden figure takes part in.

Partner p's check models partner q by a few feasible assignments of q's own counts (:func:`interface_points`: the
true one, and each of q's hidden summands at its least and greatest given everything q's workbooks show) and lets
q's summands be any mixture of them (weights ≥ 0 adding up to 1, a relation the reader is told). Every mixture is
a feasible assignment of q's counts, since q's problem is convex. A few of q's shown summands (the cheapest) are
offered as keys p's check may hide (q's own check then hides them: "asked"); the others are the constants they are.

Why the result is sound: take any assignment p's model allows. Give p's counts their values in it, each modelled q
its mixture, every other partner its true counts. Every figure any workbook shows holds: each partner's own by its
own problem, each shared total by p's model (a total with no hidden summand holds with the true counts). So each
interval p's model finds is contained in what the reader holding every workbook can tell, and is at least as wide
as required. This holds once p's model asks nothing: the loop below re-checks p whenever its model let a summand
not yet hidden by its owner be free, or p hid a summand of a total its model left out, or another check asked p to
hide something. Hiding only ever grows (each check starts from what its partner hides already), so the loop ends,
and later growth only loosens what an earlier check assumed: a mixture of q's old points is still feasible when q
hides more, and a total that becomes active held in the lift already (its summands were shown).

Sparse throughout: a partner's problem gains a column per modelled partner's point and per offered summand, and a
row per shared total with a hidden summand, never a partner × figure matrix.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.indicators.disclosure import (BreakdownCells, Key, Layout, Linked, Signatures, SmallAreaGroups,
                                          hidden_numbers, interface_points)

#: Shown summands of other partners a partner's check may ask to have hidden, per shared total: the cheapest.
OFFERED = 3
#: A shared total is hidden only as a last resort: so many times the dearest number of the problem.
TOTAL_COST = -4.0


@dataclass(frozen=True)
class PartnerProblem:
    """One partner area's disclosure problem, as :func:`engine.indicators.disclosure.hidden_numbers` takes it."""

    values: dict[Key, float]
    layout: Layout
    kinds: Signatures
    picks: dict[str, list[int]]
    complete: set[str]
    rules: dict[str, tuple[int, bool]]
    areas: SmallAreaGroups | None = None
    breakdowns: BreakdownCells | None = None

    def value(self, key: Key) -> float:
        return self.values[key] if key in self.values else self.breakdowns.values[key]

    def signature(self, key: Key) -> tuple:
        """What a summand key counts (its kinds of event and months): two keys alike are the same number."""
        if key[0] == "current":
            kinds, months = self.kinds.members[key[1]], self.layout.current
        else:
            kinds, months = self.kinds.members[self.breakdowns.members[key]], self.breakdowns.months[key[1]]
        return tuple(np.asarray(kinds).tolist()), tuple(months)

    def points(self, hidden: set[Key], interface: list[Key], targets: list[Key]) -> np.ndarray:
        return interface_points(self.values, self.layout, self.kinds, self.picks, self.complete, self.rules,
                                self.areas, self.breakdowns, hidden, interface, targets)

    def hidden(self, linked: Linked | None, start: set[Key], wide: set[Key], memo: dict | None = None,
               settled: set[Key] | None = None, exact: bool = False) -> set[Key]:
        return hidden_numbers(self.values, self.layout, self.kinds, self.picks, self.complete, self.rules, self.areas,
                              self.breakdowns, linked, start, wide, memo, settled, exact)


@dataclass(frozen=True)
class SharedTotal:
    """A figure every workbook shows that is the sum of partner areas' own figures (``summands``: partner -> its key)."""

    key: Key
    summands: dict[int, Key]

    def value(self, problems: list[PartnerProblem]) -> float:
        return float(sum(problems[q].value(k) for q, k in self.summands.items()))


class _Model:
    """Partner ``p``'s view of the others (a :class:`Linked` under construction)."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.values: dict[Key, float] = {}
        self.parts: dict[Key, tuple] = {}
        self.own: dict[Key, Key] = {}
        self.hidden: set[Key] = set()
        self.costs: dict[Key, float] = {}
        self.known: list[tuple[tuple, float]] = []
        self.width = 0
        self.optimistic = False  # some summand is free that its owner has not hidden yet

    def columns(self, n: int) -> np.ndarray:
        out = np.arange(self.width, self.width + n, dtype=np.int64)
        self.width += n
        return out

    def add(self, key: Key, value: float, part: tuple, cost: float | None = None) -> None:
        self.keys.append(key)
        self.values[key], self.parts[key] = value, part
        if cost is not None:
            self.costs[key] = cost

    def linked(self) -> Linked:
        return Linked(self.keys, self.values, self.parts, self.own, self.hidden, self.costs, self.width, self.known)


def _join(parts: list[tuple]) -> tuple:
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([np.asarray(p[1], dtype=float) for p in parts])


class _Cross:
    def __init__(self, problems: list[PartnerProblem], totals: list[SharedTotal]) -> None:
        # Totals of the same rows (a breakdown's base repeated on every row, one table's figures in another layout)
        # are one number: checked once, shown alike.
        self.alike: dict[Key, list[Key]] = {}
        kept: dict[tuple, SharedTotal] = {}
        for t in totals:
            q, k = next(iter(t.summands.items()), (None, None))
            signature = (tuple(sorted(t.summands)), problems[q].signature(k)) if q is not None else (t.key,)
            first = kept.setdefault(signature, t)
            self.alike.setdefault(first.key, []).append(t.key)
        self.problems, self.totals = problems, list(kept.values())
        self.hidden: list[set[Key]] = [set() for _ in problems]
        self.asked: list[set[Key]] = [set() for _ in problems]
        # Keys another check asked for: they were asked for to give it room, so they must be as uncertain as a small
        # count of their rule (a summand hidden only to stop it being worked out could be pinned to a unit).
        self.ever_asked: list[set[Key]] = [set() for _ in problems]
        self.links: set[Key] = set()
        self.memo: list[dict] = [{} for _ in problems]  # per partner: its groups' results (protect_cuts)
        # Per partner: small counts found wide enough by a check that asked nothing. Its model lifts into what every
        # workbook together allows however the others grow later (see the module's note), so they are not solved
        # for again.
        self.settled: list[set[Key]] = [set() for _ in problems]
        self.seen: list[set[Key]] = [set() for _ in problems]  # found wide by any check, provisional ones too
        self.points: dict[int, tuple[list[Key], np.ndarray]] = {}  # per partner: summands solved for, points
        self.values = {t.key: t.value(problems) for t in self.totals}
        self.all_summands: list[list[Key]] = [[] for _ in problems]
        for t in self.totals:
            for q, k in t.summands.items():
                if k not in self.all_summands[q]:
                    self.all_summands[q].append(k)

    def active(self) -> list[SharedTotal]:
        """The shared totals some hidden (or asked) figure takes part in; the others add nothing to what is shown."""
        return [t for t in self.totals if t.key not in self.links
                and any(k in self.hidden[q] or k in self.asked[q] for q, k in t.summands.items())]

    def _points(self, q: int, interface: list[Key]) -> np.ndarray:
        """q's points over ``interface`` (its hidden summands): the true values, and each hidden summand at its least
        and greatest. Points found with fewer numbers hidden stay feasible when q hides more (fewer numbers bind
        it), so they are kept and only summands not solved for before are; each point holds the values of all q's
        summands, whichever are asked for later."""
        summands = self.all_summands[q]
        solved, points = self.points.get(q, ([], np.array([[self.problems[q].value(k) for k in summands]])))
        new = [k for k in interface if k not in solved]
        if new:
            points = np.vstack([points, self.problems[q].points(self.hidden[q], summands, new)])
            solved = solved + new
            self.points[q] = (solved, points)
        return points[:, [summands.index(k) for k in interface]]

    def model(self, p: int, active: list[SharedTotal]) -> _Model:
        model = _Model()
        model.hidden = set()
        # Each other partner with hidden summands: weights over its points, adding up to 1.
        interface: dict[int, list[Key]] = {}
        for t in active:
            for q, k in t.summands.items():
                if q != p and k in self.hidden[q]:
                    interface.setdefault(q, [])
                    if k not in interface[q]:
                        interface[q].append(k)
        mixture: dict[tuple[int, Key], tuple] = {}
        for q, keys in sorted(interface.items()):
            points = self._points(q, keys)
            weights = model.columns(points.shape[0])
            model.known.append(((weights, np.ones(weights.size)), 1.0))
            for column, k in enumerate(keys):
                mixture[(q, k)] = (weights, points[:, column])
        offered: dict[tuple[int, Key], tuple] = {}
        for t in active:
            parts, constant = [], 0.0
            shown = []
            for q, k in sorted(t.summands.items()):
                if q == p:
                    model.own[t.key] = k
                elif (q, k) in mixture:
                    parts.append(mixture[(q, k)])
                elif k in self.asked[q]:  # free until its owner hides it: p is checked again then
                    column = model.columns(1)
                    parts.append((column, np.ones(1)))
                    model.optimistic = True
                else:
                    shown.append((q, k))
            value = {(q, k): self.problems[q].value(k) for q, k in shown}
            # A shown zero is not offered: hiding one protects little (a zero is often known to be zero anyway).
            cheapest = sorted([qk for qk in shown if value[qk] > 0], key=lambda qk: (value[qk], qk[0]))[:OFFERED]
            for q, k in shown:
                if (q, k) in cheapest:
                    if (q, k) not in offered:
                        column = model.columns(1)
                        offered[(q, k)] = (column, np.ones(1))
                        model.add(("partner", q, k), value[(q, k)], offered[(q, k)])
                    parts.append(offered[(q, k)])
                else:
                    constant += value[(q, k)]
            model.add(t.key, self.values[t.key] - constant, _join(parts), TOTAL_COST)
        return model

    def run(self) -> tuple[list[set[Key]], set[Key]]:
        # Each partner on its own first (cheap, and its groups no other partner touches are kept in its memo): the
        # joint checks then start from what each hides anyway, and ask the others for less. (A first joint loop
        # stopping exact derivation only was tried: it hid more and made the joint checks slower.)
        for p, problem in enumerate(self.problems):
            self.hidden[p] = problem.hidden(None, set(), set(), self.memo[p])
        self._loop(exact=False)
        return self.hidden, {alike for key in self.links for alike in self.alike[key]}

    def _loop(self, exact: bool) -> None:
        queue = list(range(len(self.problems)))
        while queue:
            # A partner asked to hide something goes first: until it has, the others' models of it are provisional.
            p = next((q for q in queue if self.asked[q]), queue[0])
            queue.remove(p)
            active = self.active()
            model = self.model(p, active)
            # A provisional model is checked again anyway: skip what any earlier check found wide; a check that may be
            # the last skips only what a check that asked nothing found wide (self.settled).
            found = set(self.settled[p] | (self.seen[p] if model.optimistic else set()))
            result = self.problems[p].hidden(model.linked(), self.hidden[p] | self.asked[p], self.ever_asked[p],
                                             self.memo[p], None if exact else found, exact)
            if not exact:
                self.seen[p] |= found
            own = {k for k in result if k[0] not in ("partner", "link")}
            again = model.optimistic
            for key in result:
                if key[0] == "partner" and key[2] not in self.hidden[key[1]] | self.asked[key[1]]:
                    self.asked[key[1]].add(key[2])
                    self.ever_asked[key[1]].add(key[2])
                    if key[1] not in queue:
                        queue.append(key[1])
                    again = True
                elif key[0] == "link":
                    self.links.add(key)
            modelled = {t.key for t in active}
            if any(t.summands.get(p) in own and t.key not in modelled | self.links for t in self.totals):
                again = True  # it hid a summand of a total its model left out
            self.hidden[p] = own
            self.asked[p] -= own
            if not again and not exact:  # its model asked nothing: what it found wide stays wide however others grow
                self.settled[p] = found
            if again and p not in queue:
                queue.append(p)


def protect_partners(problems: list[PartnerProblem], totals: list[SharedTotal]) -> tuple[list[set[Key]], set[Key]]:
    """Each partner area's hidden keys, and the shared totals hidden (in every workbook), such that no workbook, nor
    all of them together, lets a hidden small count be narrowed below its threshold or a hidden figure be worked out.
    See the module's note for why checking one partner at a time against models of the others is enough."""
    return _Cross(problems, totals).run()
