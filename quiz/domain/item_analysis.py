"""Item analysis of quiz attempts for teachers, with Moodle's quiz statistics formulas."""

# Formulas follow https://docs.moodle.org/dev/Quiz_statistics_calculations and the code
# that implements them (question/classes/statistics/questions/calculator.php for items,
# mod/quiz/report/statistics/classes/calculator.php for the whole test).
#
# Scores are fractions: an item score is 0..1, an attempt's score is the mean of the item
# scores it contains. Moodle shows facility, discrimination and efficiency as percentages;
# we return the raw 0..1 (or -1..1) numbers and leave the "%" to the template.

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from quiz.domain.gradebook import mean, median
from quiz.domain.grading import percent, settle

Which = Literal["first", "all", "last", "highest"]

TOO_EASY = "too easy"
TOO_HARD = "too hard"
POOR_DISCRIMINATION = "poor discrimination"
NEGATIVE_DISCRIMINATION = "negative discrimination"
DISTRACTOR_NEVER_CHOSEN = "distractor never chosen"
DISTRACTOR_DRAWS_STRONGEST = "distractor chosen more by the strongest"
KEY_MISSED_BY_STRONGEST = "right answer chosen more by the weakest"

# Thresholds for the flags. Moodle's report marks discrimination below 20 % as doubtful
# and leaves facility bands to the teacher; these are the common rules of thumb.
EASY_ABOVE = 0.9
HARD_BELOW = 0.2
DISCRIMINATION_BELOW = 0.2
# At or below this, the students who did worse on the rest of the quiz got the question
# right more often than those who did better: the usual sign of a wrong key. Flagged
# from MIN_ATTEMPTS_TO_FLAG_KEY attempts, where the choices' groups need twenty. (In a
# simulation of rightly keyed questions of middling quality, 6% of them reach -0.30 by
# chance at 10 attempts, 23% reach -0.20 at 5; a question keyed wrong reaches it about
# half the time.)
NEGATIVE_DISCRIMINATION_AT = -0.3
MIN_ATTEMPTS_TO_FLAG_KEY = 10
# Below this many attempts at a question, one student more or less swings its facility
# across a whole band: a question answered once is "too easy" or "too hard" by chance.
# Its figures are shown, but it is not flagged.
MIN_ATTEMPTS_TO_FLAG = 5
# Distractor analysis compares the attempts that did best and worst on the rest of the
# quiz: Kelley's upper and lower 27%, from this many attempts at the question (below it
# a group would be one or two attempts).
GROUP_SHARE = 0.27
MIN_ATTEMPTS_FOR_GROUPS = 10
# A choice is flagged for its groups only from this many attempts (groups of 5 or more)
# and when the two groups differ by at least this share: below that, one student's
# pick is enough to make a difference.
MIN_ATTEMPTS_TO_FLAG_GROUPS = 20
GROUP_GAP_TO_FLAG = 0.25


@dataclass(frozen=True)
class AttemptRecord:
    attempt_id: int
    user_id: int
    # When it was submitted: first and last attempts go by it, as in the gradebook.
    submitted_at: datetime
    # item id -> score 0..1, only for the items drawn into this attempt.
    item_scores: Mapping[int, float]
    # item id -> choice ids the learner picked; () or a missing key means no answer.
    choices: Mapping[int, tuple[int, ...]]


@dataclass(frozen=True)
class ChoiceInfo:
    choice_id: int
    text: str
    correct: bool


@dataclass(frozen=True)
class ItemInfo:
    item_id: int
    prompt: str
    kind: str
    choices: tuple[ChoiceInfo, ...]


@dataclass(frozen=True)
class ChoiceStats:
    choice_id: int
    text: str
    correct: bool
    count: int
    share: float | None  # count / n; None when no attempt contained the item
    flags: tuple[str, ...] = ()
    # Share of the strongest and of the weakest attempts (GROUP_SHARE each, by the rest of
    # the quiz) that picked it; None below MIN_ATTEMPTS_FOR_GROUPS and for ordering items.
    strongest: float | None = None
    weakest: float | None = None

    @property
    def never_chosen(self) -> bool:
        return DISTRACTOR_NEVER_CHOSEN in self.flags

    @property
    def draws_strongest(self) -> bool:
        return DISTRACTOR_DRAWS_STRONGEST in self.flags

    @property
    def key_missed(self) -> bool:
        return KEY_MISSED_BY_STRONGEST in self.flags


@dataclass(frozen=True)
class ItemStats:
    item_id: int
    prompt: str
    n: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    choices: tuple[ChoiceStats, ...]
    unanswered: int
    flags: tuple[str, ...]
    discriminative_efficiency: float | None = None
    kind: str = "single"  # an ordering item's choice counts are entries in their place

    @property
    def unused_distractors(self) -> int:
        return sum(1 for c in self.choices if c.never_chosen)

    @property
    def key_in_doubt(self) -> bool:
        """A wrong choice draws the strongest, the weakest pick the key more often, or the
        question's discrimination is negative: the signs of a question keyed wrong or
        worded ambiguously."""
        return NEGATIVE_DISCRIMINATION in self.flags or any(
            c.draws_strongest or c.key_missed for c in self.choices
        )


@dataclass(frozen=True)
class TestStats:
    __test__ = False  # a result type, not a pytest test class

    n: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    alpha: float | None
    alpha_note: str | None


@dataclass(frozen=True)
class Analysis:
    test: TestStats
    items: tuple[ItemStats, ...]


def attempt_score(record: AttemptRecord) -> float | None:
    """The attempt's score as a fraction of the items it contained; None for an empty one."""
    if not record.item_scores:
        return None
    return math.fsum(record.item_scores.values()) / len(record.item_scores)


def select_attempts(
    records: Iterable[AttemptRecord], which: Which = "first"
) -> list[AttemptRecord]:
    """The attempts to analyse: each user's first, last or highest-scoring one, or all.

    Moodle defaults to first attempts because later ones break the assumptions behind
    item analysis (the learner has seen the questions). First and last go by submission,
    as the gradebook's grading methods and the learner's own scores do, so "first
    attempts" here are the attempts a "graded by first attempt" gradebook grades. Ties
    are broken so the choice never depends on input order: first = earliest submitted
    then lowest id, last = latest submitted then highest id, highest = best score then
    the earliest such attempt. An attempt with no items ranks below any scored one for
    "highest".
    """
    if which not in get_args(Which):
        raise ValueError(f"which must be one of {get_args(Which)}, not {which!r}")
    ordered = sorted(records, key=lambda r: (r.submitted_at, r.attempt_id))
    if which == "all":
        return ordered
    chosen: dict[int, AttemptRecord] = {}
    for record in ordered:
        held = chosen.get(record.user_id)
        if held is None or which == "last":
            chosen[record.user_id] = record
        elif which == "highest" and _rank(record) > _rank(held):
            # Strictly greater, so on a tie the earlier attempt (seen first) stays.
            chosen[record.user_id] = record
    return sorted(chosen.values(), key=lambda r: (r.submitted_at, r.attempt_id))


def _rank(record: AttemptRecord) -> tuple[bool, float]:
    score = attempt_score(record)
    return (score is not None, score or 0.0)


def analyse(
    records: Iterable[AttemptRecord], items: Sequence[ItemInfo], which: Which = "first"
) -> Analysis:
    """Whole-test and per-item statistics over the selected attempts, items in given order."""
    ids = [item.item_id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("each item may appear only once in the analysis")
    attempts = select_attempts(records, which)
    return Analysis(
        test=_test_stats(attempts, ids),
        items=tuple(_item_stats(item, attempts) for item in items),
    )


# --- per item -------------------------------------------------------------------------


def _item_stats(item: ItemInfo, attempts: Sequence[AttemptRecord]) -> ItemStats:
    # Only attempts that drew this item count: with random subsets an item missing from
    # an attempt was never asked, which is not the same as answered wrong.
    containing = [a for a in attempts if item.item_id in a.item_scores]
    n = len(containing)
    scores = [a.item_scores[item.item_id] for a in containing]
    # "Rest of the test" (Moodle): the attempt's marks on its other items. Summed
    # directly, not total - score, so a constant rest stays exactly constant.
    rests = [
        math.fsum(s for i, s in a.item_scores.items() if i != item.item_id) for a in containing
    ]
    facility = mean(scores)
    variance = _sample_variance(scores)
    sd = math.sqrt(variance) if variance is not None else None
    discrimination = _correlation(scores, rests)
    efficiency = _discriminative_efficiency(scores, rests)

    picked = [a.choices.get(item.item_id, ()) for a in containing]
    if item.kind == "ordering":
        # Every entry is placed in every answer: what tells is how often it was put in
        # its right place (the items' choices come in the right order).
        choice_stats = tuple(
            _entry_stats(entry, place, picked, n) for place, entry in enumerate(item.choices)
        )
    else:
        groups = _groups(containing, rests)
        multiple = item.kind == "multiple"
        choice_stats = tuple(
            _choice_stats(choice, picked, n, groups, multiple) for choice in item.choices
        )
    unanswered = sum(1 for p in picked if not p)

    # Flags go by the figures as the page shows them (a whole percentage, two decimals),
    # so that a facility shown as 90% is never flagged as over 90%.
    flags: list[str] = []
    if n >= MIN_ATTEMPTS_TO_FLAG:
        if facility is not None and percent(facility) > percent(EASY_ABOVE):
            flags.append(TOO_EASY)
        if facility is not None and percent(facility) < percent(HARD_BELOW):
            flags.append(TOO_HARD)
        shown = None if discrimination is None else float(f"{discrimination:.2f}")
        if (
            shown is not None
            and shown <= NEGATIVE_DISCRIMINATION_AT
            and (n >= MIN_ATTEMPTS_TO_FLAG_KEY)
        ):
            flags.append(NEGATIVE_DISCRIMINATION)
        elif shown is not None and shown < DISCRIMINATION_BELOW:
            flags.append(POOR_DISCRIMINATION)

    return ItemStats(
        item_id=item.item_id,
        prompt=item.prompt,
        n=n,
        facility=facility,
        sd=sd,
        discrimination=discrimination,
        choices=choice_stats,
        unanswered=unanswered,
        flags=tuple(flags),
        discriminative_efficiency=efficiency,
        kind=item.kind,
    )


def _entry_stats(
    entry: ChoiceInfo, place: int, orders: Sequence[tuple[int, ...]], n: int
) -> ChoiceStats:
    """An ordering item's entry: how many answers put it in its right place."""
    count = sum(1 for order in orders if len(order) > place and order[place] == entry.choice_id)
    return ChoiceStats(
        choice_id=entry.choice_id,
        text=entry.text,
        correct=True,
        count=count,
        share=count / n if n else None,
    )


#: A group: (position in `containing`, weight) pairs whose weights add up to its size.
Group = list[tuple[int, float]]


def _groups(
    containing: Sequence[AttemptRecord], rests: Sequence[float]
) -> tuple[Group, Group] | None:
    """The weakest and the strongest attempts, by their share right of the rest of the
    quiz, GROUP_SHARE of them each; None with too few attempts.

    Attempts level with a group's edge share its last places equally: with 4 places
    left and 6 attempts on the edge score, each of the 6 counts for 2/3. So which of
    them came first never decides a group, and when every attempt scored the same both
    groups are everyone, and alike."""
    scored = [
        (rest / (len(a.item_scores) - 1), position)
        for position, (a, rest) in enumerate(zip(containing, rests, strict=True))
        if len(a.item_scores) > 1
    ]
    if len(scored) < MIN_ATTEMPTS_FOR_GROUPS:
        return None
    size = max(1, round(GROUP_SHARE * len(scored)))
    return _group(scored, size, lowest=True), _group(scored, size, lowest=False)


def _group(scored: list[tuple[float, int]], size: int, lowest: bool) -> Group:
    ranked = sorted((score for score, _ in scored), reverse=not lowest)
    edge = ranked[size - 1]
    beyond = [p for s, p in scored if (s < edge if lowest else s > edge)]
    level = [p for s, p in scored if s == edge]
    share = (size - len(beyond)) / len(level)
    return [(p, 1.0) for p in beyond] + [(p, share) for p in level]


def _picked_share(choice: ChoiceInfo, picked: Sequence[tuple[int, ...]], group: Group) -> float:
    chose = math.fsum(weight for p, weight in group if choice.choice_id in picked[p])
    return settle(chose / math.fsum(weight for _, weight in group))


def _choice_stats(
    choice: ChoiceInfo,
    picked: Sequence[tuple[int, ...]],
    n: int,
    groups: tuple[Group, Group] | None = None,
    multiple: bool = False,
) -> ChoiceStats:
    # With several right answers a learner may pick more than one choice, so the shares
    # of an item's choices can add up to more than 1.
    count = sum(1 for p in picked if choice.choice_id in p)
    flags: list[str] = []
    if not choice.correct and n >= MIN_ATTEMPTS_TO_FLAG and count == 0:
        flags.append(DISTRACTOR_NEVER_CHOSEN)
    weakest = strongest = None
    if groups is not None:
        weakest, strongest = (_picked_share(choice, picked, group) for group in groups)
        # A wrong choice that draws the strong more than the weak, or a right answer the
        # weak find more often than the strong, is often a question keyed wrong or
        # worded ambiguously. (On a multiple-answer question a weak student who ticks
        # every box picks each right answer: there only wrong choices are compared.)
        if n >= MIN_ATTEMPTS_TO_FLAG_GROUPS:
            if not choice.correct and strongest - weakest >= GROUP_GAP_TO_FLAG:
                flags.append(DISTRACTOR_DRAWS_STRONGEST)
            if choice.correct and not multiple and weakest - strongest >= GROUP_GAP_TO_FLAG:
                flags.append(KEY_MISSED_BY_STRONGEST)
    return ChoiceStats(
        choice_id=choice.choice_id,
        text=choice.text,
        correct=choice.correct,
        count=count,
        share=count / n if n else None,
        flags=tuple(flags),
        strongest=strongest,
        weakest=weakest,
    )


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson r; Moodle's discrimination index is this ×100 (item vs rest of test)."""
    if len(xs) < 2 or _is_constant(xs) or _is_constant(ys):
        return None
    mx, my = _mean_of(xs), _mean_of(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    # The n-1 of covariance and variances cancels. Scores a hair apart can still
    # underflow to a zero spread; then r is as undefined as for equal scores.
    spread = math.sqrt(sxx) * math.sqrt(syy)
    if spread == 0.0:
        return None
    # Clamp only float rounding.
    return max(-1.0, min(1.0, sxy / spread))


def _discriminative_efficiency(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Covariance over the largest covariance these two score distributions allow.

    Moodle's covariancemax pairs the sorted item scores with the sorted rest-of-test
    scores: by the rearrangement inequality no pairing of the same values covaries more.
    """
    if len(xs) < 2 or _is_constant(xs) or _is_constant(ys):
        return None
    mx, my = _mean_of(xs), _mean_of(ys)
    covariance = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    covariance_max = math.fsum(
        (x - mx) * (y - my) for x, y in zip(sorted(xs), sorted(ys), strict=True)
    )
    # Moodle also treats a zero maximum as "no efficiency" (it can underflow to 0).
    return covariance / covariance_max if covariance_max > 0.0 else None


# --- whole test -----------------------------------------------------------------------


def _test_stats(attempts: Sequence[AttemptRecord], item_ids: Sequence[int]) -> TestStats:
    # An attempt without items has no score to speak of, so it is left out rather than
    # counted as 0 %.
    scores = [s for s in (attempt_score(a) for a in attempts) if s is not None]
    n = len(scores)
    variance = _sample_variance(scores)
    skewness, kurtosis = _skewness_kurtosis(scores)
    alpha, alpha_note = _cronbach_alpha(attempts, item_ids)
    return TestStats(
        n=n,
        mean=mean(scores),
        median=median(scores),
        sd=math.sqrt(variance) if variance is not None else None,
        skewness=skewness,
        kurtosis=kurtosis,
        alpha=alpha,
        alpha_note=alpha_note,
    )


def _skewness_kurtosis(scores: Sequence[float]) -> tuple[float | None, float | None]:
    """Moodle's skewness k3/k2^1.5 (needs n > 2) and excess kurtosis k4/k2² (needs n > 3).

    k2, k3, k4 are the unbiased cumulant estimates built from the central moments
    m_r = Σ(x - mean)^r / n (the same as a spreadsheet's SKEW and KURT).
    """
    s = len(scores)
    if s < 3 or _is_constant(scores):
        return None, None
    mean = _mean_of(scores)
    m2 = math.fsum((x - mean) ** 2 for x in scores) / s
    m3 = math.fsum((x - mean) ** 3 for x in scores) / s
    m4 = math.fsum((x - mean) ** 4 for x in scores) / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    if k2**1.5 == 0.0:
        # Moodle checks k2 != 0; tiny spreads can also underflow the powers to 0.
        return None, None
    skewness = k3 / k2**1.5
    if s < 4 or k2 * k2 == 0.0:
        return skewness, None
    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
    return skewness, k4 / (k2 * k2)


def _cronbach_alpha(
    attempts: Sequence[AttemptRecord], item_ids: Sequence[int]
) -> tuple[float | None, str | None]:
    """Cronbach's alpha k/(k-1)·(1 - Σ var(item) / var(total)) over complete attempts.

    Alpha is only meaningful when every attempt answers the same k items, so when quizzes
    draw random subsets we use just the attempts that contain every analysed item, and
    say so. The total here is the sum over those k items. Variances are sample variances
    (n-1), as Moodle's; the choice cancels in the ratio.
    """
    k = len(item_ids)
    if k < 2:
        return None, "Alpha needs at least 2 items."
    complete = [a for a in attempts if all(i in a.item_scores for i in item_ids)]
    m = len(complete)
    if m < 2 or 2 * m < len(attempts):
        # Most quizzes drew random subsets: a few whole attempts would stand for all the
        # others, so estimate from every attempt's items and pairs when that is possible.
        estimate = _random_form_alpha(attempts, item_ids, m)
        if m < 2 or estimate[0] is not None:
            return estimate
    totals = [math.fsum(a.item_scores[i] for i in item_ids) for a in complete]
    same_total = (
        "Alpha is undefined: every attempt has the same total score."
        if m == len(attempts)
        else f"Alpha is undefined: the {m} attempts that contain all {k} items have the "
        "same total score."
    )
    if _is_constant(totals):
        return None, same_total
    total_variance = _sample_variance(totals)
    if not total_variance:  # None is impossible (m >= 2); 0 only by float underflow
        return None, same_total
    item_variance_sum = math.fsum(
        _sample_variance([a.item_scores[i] for a in complete]) or 0.0 for i in item_ids
    )
    alpha = k / (k - 1) * (1 - item_variance_sum / total_variance)
    note = None
    if m < len(attempts):
        note = f"Alpha uses the {m} of {len(attempts)} attempts that contain all {k} items."
    return alpha, note


def form_alpha(
    attempts: Sequence[AttemptRecord], item_ids: Sequence[int], length: int
) -> float | None:
    """Alpha of a quiz of `length` items drawn at random from `item_ids`, estimated from
    each item's variance (over the attempts that drew it) and the covariance of each pair
    of items (over the attempts that drew both): length·c̄ / (v̄ + (length-1)·c̄), with
    v̄ the mean variance and c̄ the mean covariance.

    With every attempt holding all k items and length k this is Cronbach's alpha itself:
    the total's variance is Σ variances + Σ covariances = k·v̄ + k(k-1)·c̄. Pairs drawn
    together fewer than twice have no covariance and are left out. None when no pair
    has one, or when the total's variance would not be positive.
    """
    variances, covariances = _item_moments(attempts, item_ids)
    return _alpha_of(variances, covariances, length)


def _item_moments(
    attempts: Sequence[AttemptRecord], item_ids: Sequence[int]
) -> tuple[list[float], list[float]]:
    """Each item's variance, and the covariance of each pair of items drawn together in
    two attempts or more."""
    variances = [
        v
        for v in (
            _sample_variance([a.item_scores[i] for a in attempts if i in a.item_scores])
            for i in item_ids
        )
        if v is not None
    ]
    wanted = set(item_ids)
    sums: dict[tuple[int, int], list[float]] = {}  # pair -> [n, Σx, Σy, Σxy]
    for attempt in attempts:
        drawn = sorted(i for i in attempt.item_scores if i in wanted)
        for position, i in enumerate(drawn):
            x = attempt.item_scores[i]
            for j in drawn[position + 1 :]:
                y = attempt.item_scores[j]
                entry = sums.setdefault((i, j), [0, 0.0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += x
                entry[2] += y
                entry[3] += x * y
    covariances = [(sxy - sx * sy / n) / (n - 1) for n, sx, sy, sxy in sums.values() if n >= 2]
    return variances, covariances


def _alpha_of(variances: list[float], covariances: list[float], length: int) -> float | None:
    if not variances or not covariances or length < 2:
        return None
    v, c = _mean_of(variances), _mean_of(covariances)
    total = v + (length - 1) * c  # the variance of a quiz's total, divided by length
    # Scores are 0..1: a spread this small is float rounding of an exact 0 (every
    # attempt with the same total), where alpha is undefined.
    return length * c / total if total > 1e-12 else None


#: The share of the pairs of items that must have been drawn together (twice or more)
#: for the estimate of a random quiz's alpha: from a few pairs met in two attempts
#: each, the mean covariance is noise, and alpha can come out at -15.
MIN_PAIR_COVERAGE = 0.5


def _random_form_alpha(
    attempts: Sequence[AttemptRecord], item_ids: Sequence[int], complete: int
) -> tuple[float | None, str | None]:
    """When fewer than half the attempts hold every item (quizzes drew random subsets, or
    questions were added later): the alpha of a quiz of the usual length, estimated from
    the items and pairs (form_alpha), or why there is none."""
    k = len(item_ids)
    wanted = set(item_ids)
    drawn = [n for n in (sum(1 for i in a.item_scores if i in wanted) for a in attempts) if n]
    length = round(median(drawn)) if drawn else 0
    variances, covariances = _item_moments(attempts, item_ids)
    pairs = k * (k - 1) // 2
    if covariances and len(covariances) < MIN_PAIR_COVERAGE * pairs and 2 <= length < k:
        return None, (
            f"Alpha needs more attempts: the quizzes drew {length} of the {k} items, and "
            f"only {len(covariances)} of the {pairs} pairs of items were answered together "
            f"in two attempts or more (it needs half of them)."
        )
    alpha = _alpha_of(variances, covariances, length) if 2 <= length < k else None
    if alpha is None:
        have = {0: "none does", 1: "only 1 does"}.get(complete, f"{complete} do")
        return None, f"Alpha needs at least 2 attempts that contain all {k} items; {have}."
    whole = {0: "None of the", 1: "Only 1 of the"}.get(complete, f"Only {complete} of the")
    return alpha, (
        f"{whole} {len(attempts)} attempts {'contains' if complete < 2 else 'contain'} all "
        f"{k} items (most held {length}), so alpha is estimated for a quiz of {length} "
        "items, from each item's variance and the covariance of each pair of items "
        "answered in the same attempt."
    )


# --- small helpers --------------------------------------------------------------------


def _mean_of(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _sample_variance(values: Sequence[float]) -> float | None:
    """Σ(x - mean)² / (n - 1), as Moodle; None below two values."""
    if len(values) < 2:
        return None
    if _is_constant(values):
        # Exactly 0: fsum(x)/n can miss x by an ulp and leave a spurious tiny spread.
        return 0.0
    mean = _mean_of(values)
    return math.fsum((x - mean) ** 2 for x in values) / (len(values) - 1)


def _is_constant(values: Sequence[float]) -> bool:
    # Compared exactly rather than by variance == 0, which float rounding can miss.
    return min(values) == max(values)
