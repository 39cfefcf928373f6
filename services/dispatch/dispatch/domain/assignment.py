"""The auto-assignment decision: who should take a job, and who takes an escalation.

Pure functions over plain data; the caller supplies current loads and an on-shift predicate
(typically ``roster.is_on_shift`` bound to ``now``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_LEVEL",
    "Decision",
    "JobNeed",
    "TechnicianProfile",
    "choose",
    "eligible",
    "escalation_target",
]

MAX_LEVEL = 4

_INF = float("inf")


@dataclass(frozen=True, kw_only=True)
class TechnicianProfile:
    technician_id: str
    level: int
    skills: frozenset[str]
    home_region: str
    regions: frozenset[str]
    capacity: int
    active: bool = True

    def covers_region(self, region: str) -> bool:
        return region == self.home_region or region in self.regions


@dataclass(frozen=True, kw_only=True)
class JobNeed:
    ticket_id: str
    region: str
    product_line: str | None
    on_site: bool
    min_level: int = 1
    exact_level: int | None = None
    account_engineer_id: str | None = None
    last_served_by: str | None = None
    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Decision:
    technician_id: str | None
    reason: str
    candidates: int


NO_ONE_FITS = Decision(technician_id=None, reason="no_one_fits", candidates=0)


def _ratio(load: int, capacity: int) -> float:
    return load / capacity if capacity > 0 else _INF


def eligible(tech: TechnicianProfile, need: JobNeed, *, load: int, on_shift: bool) -> bool:
    """Whether ``tech`` may take ``need`` right now (all hard filters)."""
    if not tech.active or not on_shift:
        return False
    if tech.technician_id in need.exclude:
        return False
    if load >= tech.capacity:
        return False
    if need.product_line is not None and need.product_line not in tech.skills:
        return False
    if need.on_site and not tech.covers_region(need.region):
        return False
    if tech.level < need.min_level:
        return False
    return need.exact_level is None or tech.level == need.exact_level


_REASONS = ("account_engineer", "last_served_unit", "least_loaded")


def choose(
    need: JobNeed,
    technicians: Iterable[TechnicianProfile],
    *,
    load: Mapping[str, int],
    on_shift: Callable[[str], bool],
) -> Decision:
    """Pick the technician for ``need``.

    Among the eligible: the account engineer, else whoever last served the unit, else the least
    loaded (load/capacity, then absolute load), ties to the lowest level, then the smallest id.
    One pass, no sorting.
    """
    best_key: tuple | None = None
    best_id: str | None = None
    count = 0
    account = need.account_engineer_id
    last = need.last_served_by
    exclude = need.exclude
    product = need.product_line
    region = need.region if need.on_site else None
    min_level = need.min_level
    exact = need.exact_level
    get_load = load.get
    # The hard filters of ``eligible``, inlined (this loop runs over every technician);
    # the caller's on-shift predicate is asked last.
    for tech in technicians:
        if not tech.active:
            continue
        tid = tech.technician_id
        level = tech.level
        if level < min_level or (exact is not None and level != exact) or tid in exclude:
            continue
        current = get_load(tid, 0)
        capacity = tech.capacity
        if current >= capacity:
            continue
        if product is not None and product not in tech.skills:
            continue
        if region is not None and region != tech.home_region and region not in tech.regions:
            continue
        if not on_shift(tid):
            continue
        count += 1
        key = (0 if tid == account else 1 if tid == last else 2, current / capacity, current, level, tid)
        if best_key is None or key < best_key:
            best_key, best_id = key, tid
    if best_key is None:
        return NO_ONE_FITS
    return Decision(technician_id=best_id, reason=_REASONS[best_key[0]], candidates=count)


def escalation_target(
    level: int,
    region: str | None,
    technicians: Iterable[TechnicianProfile],
    *,
    load: Mapping[str, int],
    on_shift: Callable[[str], bool],
    exclude: frozenset[str] = frozenset(),
    product_line: str | None = None,
) -> Decision:
    """Who takes an escalation (or the case) at ``level`` for ``region`` and ``product_line``.

    Capacity is ignored (a supervisor takes it even when busy) but the less loaded is preferred.
    Order of search: exactly ``level``; then ``level+1`` .. ``MAX_LEVEL`` ("falling back up the
    ladder"). Every choice is on shift, has the skill and covers the region (SPEC 2.4: no relaxing;
    nobody fits is the caller's alert). Inactive and excluded people never count. No region or product
    line known: that filter does not apply.
    """
    covering: dict[int, list] = {}  # per level: [best key, count]
    for tech in technicians:
        tid = tech.technician_id
        if not tech.active or tech.level < level or tid in exclude or not on_shift(tid):
            continue
        if product_line is not None and product_line not in tech.skills:
            continue
        current = load.get(tid, 0)
        key = (_ratio(current, tech.capacity), current, tid)
        if not region or tech.covers_region(region):
            slot = covering.get(tech.level)
            if slot is None:
                covering[tech.level] = [key, 1]
            else:
                slot[1] += 1
                if key < slot[0]:
                    slot[0] = key
    exact = covering.get(level)
    if exact is not None:
        return Decision(technician_id=exact[0][-1], reason=f"escalation_level_{level}", candidates=exact[1])
    for higher in range(level + 1, MAX_LEVEL + 1):
        slot = covering.get(higher)
        if slot is not None:
            return Decision(
                technician_id=slot[0][-1],
                reason=f"escalation_fallback_level_{higher}",
                candidates=slot[1],
            )
    return NO_ONE_FITS
