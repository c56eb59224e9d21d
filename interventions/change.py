"""The arithmetic of change on a measure, kept apart from the queries so it can be checked by hand.

- **Direction-aware change**: post − pre where a higher score is better (SDQ prosocial, a
  self-rating), pre − post where it is worse (SDQ difficulties): a positive change is always
  better. Improved / same / worse follow its sign.
- **Band movement**: bands are ordered best (position 0) to worst; moving to a lower position is
  better ("very high" → "close to average").
- **Standardised change** d = mean(direction-aware change) / SD(pre), with the sample SD (n − 1).
  It is a pre/post figure with no comparison group, and is never turned into "months of progress".
  Its 95% confidence interval uses the usual large-sample standard error for a paired pre/post d:
  SE = sqrt(1/n + d² / (2n)), CI = d ± 1.96 × SE.
- **Below ``MIN_PUPILS`` pupils** no d, no percentages and no means: counts and each pupil's own
  change are shown instead.
"""

import math
import statistics
from dataclasses import dataclass, field

MIN_PUPILS = 5
Z_95 = 1.96
LABEL = "pre/post, no comparison group"


def directed(pre: int, post: int, *, higher_is_better: bool) -> int:
    """The change from ``pre`` to ``post`` with better positive: the one home of the direction
    rule (``scoring.change`` and the effectiveness figures both use it)."""
    return post - pre if higher_is_better else pre - post


def effect_size(pre_scores: list, changes: list) -> tuple[float, float, float] | None:
    """(d, CI low, CI high), or None below two pupils or when every pre score is the same."""
    n = len(changes)
    if n < 2:
        return None
    sd_pre = statistics.stdev(pre_scores)
    if sd_pre == 0:
        return None
    d = statistics.fmean(changes) / sd_pre
    se = math.sqrt(1 / n + d * d / (2 * n))
    return d, d - Z_95 * se, d + Z_95 * se


def share(count: int, total: int) -> int | None:
    """A whole percentage, rounded half up; None when there is nothing to divide by."""
    return math.floor(100 * count / total + 0.5) if total else None


@dataclass(frozen=True)
class PupilChange:
    pupil_id: object
    pupil_name: str
    pre: int
    post: int
    change: int  # direction-aware: positive is better
    pre_band: str = ""
    post_band: str = ""


@dataclass(frozen=True)
class BandMove:
    from_band: str
    to_band: str
    pupils: int
    direction: str  # "better", "same" or "worse"


@dataclass(frozen=True)
class SubscaleChange:
    """One subscale's change over the paired pupils. Means, percentages and d are None below
    ``MIN_PUPILS``; ``pupils`` then lists each pupil's change (and is empty otherwise)."""

    key: str
    name: str
    higher_is_better: bool
    n: int
    improved: int
    same: int
    worse: int
    has_bands: bool
    is_headline: bool = False
    is_total: bool = False
    band_better: int = 0
    band_same: int = 0
    band_worse: int = 0
    band_moves: list = field(default_factory=list)
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_change: float | None = None
    d: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pupils: list = field(default_factory=list)

    @property
    def small(self) -> bool:
        return self.n < MIN_PUPILS

    def _pct(self, count):
        return None if self.small else share(count, self.n)

    @property
    def improved_pct(self):
        return self._pct(self.improved)

    @property
    def same_pct(self):
        return self._pct(self.same)

    @property
    def worse_pct(self):
        return self._pct(self.worse)

    @property
    def band_better_pct(self):
        return self._pct(self.band_better) if self.has_bands else None


def band_of(bands: list, score: int):
    """The band (from ``bands``: (position, name, low, high)) holding ``score``, or None."""
    for band in bands:
        if band[2] <= score <= band[3]:
            return band
    return None


def subscale_change(subscale, bands: list, pairs: list) -> SubscaleChange:
    """``subscale``: has key, name, higher_is_better. ``bands``: (position, name, low, high).
    ``pairs``: (pupil id, pupil name, pre, post) with both scores present."""
    better = subscale.higher_is_better
    changes = [directed(pre, post, higher_is_better=better) for *_, pre, post in pairs]
    n = len(pairs)
    moves, band_counts, rows = {}, {"better": 0, "same": 0, "worse": 0}, []
    for (pupil_id, name, pre, post), change in zip(pairs, changes, strict=True):
        before, after = band_of(bands, pre), band_of(bands, post)
        if before and after:
            direction = (
                "better" if after[0] < before[0] else "worse" if after[0] > before[0] else "same"
            )
            band_counts[direction] += 1
            key = (before[0], after[0], before[1], after[1], direction)
            moves[key] = moves.get(key, 0) + 1
        names = (before[1] if before else "", after[1] if after else "")
        rows.append(PupilChange(pupil_id, name, pre, post, change, *names))
    figures = {
        "key": subscale.key,
        "name": subscale.name,
        "higher_is_better": subscale.higher_is_better,
        "n": n,
        "improved": sum(c > 0 for c in changes),
        "same": sum(c == 0 for c in changes),
        "worse": sum(c < 0 for c in changes),
        "has_bands": bool(bands),
        "is_headline": getattr(subscale, "is_headline", False),
        "is_total": getattr(subscale, "is_total", False),
        "band_better": band_counts["better"],
        "band_same": band_counts["same"],
        "band_worse": band_counts["worse"],
        "band_moves": [BandMove(k[2], k[3], count, k[4]) for k, count in sorted(moves.items())],
    }
    if n < MIN_PUPILS:
        return SubscaleChange(**figures, pupils=sorted(rows, key=lambda r: r.pupil_name))
    pre_scores = [pre for *_, pre, _ in pairs]
    size = effect_size(pre_scores, changes)
    return SubscaleChange(
        **figures,
        mean_pre=statistics.fmean(pre_scores),
        mean_post=statistics.fmean(post for *_, post in pairs),
        mean_change=statistics.fmean(changes),
        d=size[0] if size else None,
        ci_low=size[1] if size else None,
        ci_high=size[2] if size else None,
    )
