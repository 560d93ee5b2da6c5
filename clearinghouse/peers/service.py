"""Finding peers: the LEAs most like yours, their practices on what you want to improve, and similar practices.

The measure (the help page at /peers/help says the same in plain words, from the constants below):

* **Kind.** LEAs are compared only within a kind. A county office of education is compared only with county
  offices. A district or charter school is placed by the grade spans it serves: *unified* (kindergarten to
  grade 5 and grades 9–12), *elementary* (K–5 and/or 6–8, no 9–12), *high school* (9–12, no K–5) or
  *adult* (adult education only). An elementary district is never compared with a high school district. A
  district or charter school whose grade spans are not reported is compared with every district and charter
  school, and its explanation says the grades could not be checked.
* **Variables.** Enrollment on a log scale; the percentages of unduplicated pupils, English learners,
  students with disabilities, foster youth and students experiencing homelessness on the arcsine-square-root
  scale (2·asin √p, Cohen's h: a 5-point difference near 50% counts less than near 2%); and the locale
  (0 for the same locale, 1 for the same broad kind — city/suburb are urban, town/rural are rural — 2
  otherwise).
* **Scaling.** Each transformed difference is divided by the variable's spread among the LEAs of the kind
  (1.4826 × the median absolute deviation, a robust standard deviation), never by less than a floor (a
  doubling of enrollment; h = 0.2, Cohen's "small" difference), and the floor alone is used when fewer than
  `MIN_SAMPLE` LEAs of the kind report the variable. Each scaled difference is capped at `CAP`, so no single
  variable can outweigh all the others.
* **Distance.** The weighted root mean square of the scaled differences, with the weights `WEIGHTS`. A
  variable missing for either LEA is skipped and the weights of the others renormalized; a pair is compared
  only when at least `MIN_SHARED` variables are known for both.
* **Calipers (guarantees).** No peer's % unduplicated differs from yours by more than
  `UNDUPLICATED_CALIPER` points, and no peer's enrollment is outside a third to three times yours, when
  both are known. When fewer than `MIN_PEERS` LEAs pass, the answer says the match is weak instead of
  padding the list with LEAs that do not.
* **Similarity** = exp(−distance): 1 for identical figures, about 0.37 when the LEAs differ by one typical
  spread on every variable.
* **Outcomes are never used to decide who is similar.** A peer's practices are ranked by similarity × fit
  (the share of what you want to improve its tags cover and of your grade spans it serves); outcome data
  only add a sentence saying a practice reports results on what you chose.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from ..models import LEA, Revision
from ..practices import queries
from ..search import service as search_service
from ..taxonomy import DASHBOARD_INDICATORS, STUDENT_GROUPS, TOPICS

PERCENTAGES = ("unduplicated_pct", "el_pct", "swd_pct", "foster_youth_pct", "homeless_pct")
# How much each variable counts in the distance (renormalized over the variables both LEAs report).
WEIGHTS: dict[str, float] = {
    "enrollment": 1.0, "unduplicated_pct": 1.0, "el_pct": 1.0, "locale": 1.0,
    "swd_pct": 0.5, "foster_youth_pct": 0.25, "homeless_pct": 0.25,
}  # fmt: skip
FLOORS: dict[str, float] = {"enrollment": math.log(2), **{name: 0.2 for name in PERCENTAGES}}
CAP = 3.0
MIN_SAMPLE = 8
MIN_SHARED = 2
UNDUPLICATED_CALIPER = 15.0
ENROLLMENT_RATIO = 3.0
MIN_PEERS = 5
MAX_PEERS = 10
MAX_PRACTICES = 20

VARIABLE_LABELS: dict[str, str] = {
    "enrollment": "enrollment", "unduplicated_pct": "unduplicated pupils", "el_pct": "English learners",
    "swd_pct": "students with disabilities", "foster_youth_pct": "foster youth",
    "homeless_pct": "students experiencing homelessness", "locale": "locale",
}  # fmt: skip
_SENTENCE_WORDS = {"unduplicated_pct": "unduplicated", "el_pct": "English learners",
                   "swd_pct": "students with disabilities", "foster_youth_pct": "foster youth",
                   "homeless_pct": "homeless"}
URBAN, RURAL = {"city", "suburb"}, {"town", "rural"}
LOCALE_WORDS = {"city": "city", "suburb": "suburban", "town": "town", "rural": "rural"}
TYPE_WORDS = {"district": "district", "county_office": "county office of education", "charter": "charter school"}

KINDS: dict[str, str] = {
    "county_office": "County offices of education",
    "unified": "Districts and charter schools serving kindergarten through grade 12",
    "elementary": "Elementary districts and charter schools (up to grade 8)",
    "high_school": "High school districts and charter schools (grades 9–12, maybe 6–8)",
    "adult": "Adult education",
    "unknown": "Districts and charter schools whose grade spans are not reported",
}


@dataclass
class Profile:
    """What the measure compares: an LEA's context, or one entered by hand."""

    type: str | None = None
    locale: str | None = None
    enrollment: int | None = None
    unduplicated_pct: float | None = None
    el_pct: float | None = None
    swd_pct: float | None = None
    foster_youth_pct: float | None = None
    homeless_pct: float | None = None
    grade_spans: list[str] = field(default_factory=list)
    data_year: str | None = None
    name: str | None = None
    lea_id: int | None = None

    @classmethod
    def of(cls, lea: LEA) -> Profile:
        values = {f.name: getattr(lea, f.name) for f in fields(cls) if f.name not in ("lea_id", "grade_spans")}
        return cls(**values, grade_spans=list(lea.grade_spans or []), lea_id=lea.id)

    @property
    def kind(self) -> str:
        return kind_of(self.type, self.grade_spans)

    @property
    def known(self) -> int:
        """How many of the compared variables the profile reports."""
        return sum(getattr(self, variable) is not None for variable in WEIGHTS)


def kind_of(lea_type: str | None, grade_spans: Iterable[str] | None) -> str:
    """The kind an LEA is compared within (see the module's docstring)."""
    if lea_type == "county_office":
        return "county_office"
    spans = set(grade_spans or [])
    if "k_5" in spans and "9_12" in spans:
        return "unified"
    if "9_12" in spans:
        return "high_school"
    if spans & {"prek", "k_5", "6_8"}:
        return "elementary"
    return "adult" if spans else "unknown"


def comparable(a: str, b: str) -> bool:
    if "county_office" in (a, b):
        return a == b
    return a == b or "unknown" in (a, b)


def _transform(variable: str, value: float) -> float:
    if variable == "enrollment":
        return math.log(max(value, 1))
    return 2 * math.asin(math.sqrt(min(max(value, 0.0), 100.0) / 100))


def spreads(members: Iterable[Profile]) -> dict[str, float]:
    """Each numeric variable's scale within a kind: the robust spread, never below its floor."""
    members = list(members)
    scales = {}
    for variable, floor in FLOORS.items():
        values = [_transform(variable, v) for m in members if (v := getattr(m, variable)) is not None]
        if len(values) < MIN_SAMPLE:
            scales[variable] = floor
            continue
        median = statistics.median(values)
        mad = statistics.median(abs(v - median) for v in values)
        scales[variable] = max(1.4826 * mad, floor)
    return scales


def _locale_difference(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return 1.0 if {a, b} <= URBAN or {a, b} <= RURAL else 2.0


def differences(you: Profile, peer: Profile, scales: dict[str, float]) -> dict[str, float]:
    """The scaled, capped difference on each variable both report."""
    found = {}
    for variable in WEIGHTS:
        a, b = getattr(you, variable), getattr(peer, variable)
        if a is None or b is None:
            continue
        if variable == "locale":
            found[variable] = _locale_difference(a, b)
        else:
            found[variable] = min(abs(_transform(variable, a) - _transform(variable, b)) / scales[variable], CAP)
    return found


def distance(found: dict[str, float]) -> float:
    total = sum(WEIGHTS[v] for v in found)
    return math.sqrt(sum(WEIGHTS[v] * d * d for v, d in found.items()) / total)


def outside_calipers(you: Profile, peer: Profile) -> str | None:
    """Why `peer` may never be shown as a peer of `you`, or None when it passes the calipers."""
    if you.unduplicated_pct is not None and peer.unduplicated_pct is not None:
        if abs(you.unduplicated_pct - peer.unduplicated_pct) > UNDUPLICATED_CALIPER:
            return "unduplicated"
    if you.enrollment and peer.enrollment:
        ratio = peer.enrollment / you.enrollment
        if not 1 / ENROLLMENT_RATIO <= ratio <= ENROLLMENT_RATIO:
            return "enrollment"
    return None


# ---------------------------------------------------------------- explanations


def school_year(year: str | None) -> str:
    return year.replace("-", "–") if year else ""


def students(n: int) -> str:
    """An enrollment to two significant figures (2,293 → 2,300): the figures are a few years old anyway."""
    rounded = n if n < 100 else round(n, -(len(str(n)) - 2))
    return f"{rounded:,}"


def percent(p: float) -> str:
    return f"{p:.0f}%" if p >= 10 else f"{p:.1f}".rstrip("0").rstrip(".") + "%"


def _figure(variable: str, value: float) -> str:
    return students(int(value)) if variable == "enrollment" else percent(value)


def _describe(profile: Profile) -> str:
    words = [LOCALE_WORDS.get(profile.locale or "", ""), TYPE_WORDS.get(profile.type or "", "LEA")]
    return " ".join(w for w in words if w)


def explain(you: Profile, peer: Profile, found: dict[str, float]) -> list[str]:
    """The match in sentences: both LEAs' figures side by side with their years, and the largest difference."""
    same = peer.locale == you.locale and peer.type == you.type and peer.locale is not None
    opening = f"{_describe(peer)} like yours" if same else f"{_describe(peer)} (you: {_describe(you)})"
    opening = opening[0].upper() + opening[1:]
    # where the two differ most relative to the variable's spread (not weighted: it is what a reader checks first)
    largest = max(found, key=lambda v: (found[v], WEIGHTS[v])) if found else None
    if largest is not None and found[largest] == 0:
        largest = None
    parts = [opening]
    for variable in ("enrollment", "unduplicated_pct", "el_pct", "swd_pct"):
        if variable in found and variable != largest:
            mine, theirs = _figure(variable, getattr(you, variable)), _figure(variable, getattr(peer, variable))
            unit = " students" if variable == "enrollment" else " " + _SENTENCE_WORDS[variable]
            parts.append(f"{theirs}{unit} (you: {mine})")
    years = school_year(peer.data_year) or "a year not reported"
    if you.data_year != peer.data_year:
        years += f" (yours: {school_year(you.data_year) or 'year not given'})"
    sentence = "; ".join(parts) + f" — figures from {years}."
    if largest == "locale":
        sentence += f" Largest difference: locale {peer.locale} vs {you.locale}."
    elif largest is not None:
        theirs, mine = _figure(largest, getattr(peer, largest)), _figure(largest, getattr(you, largest))
        sentence += f" Largest difference: {VARIABLE_LABELS[largest]} {theirs} vs {mine}."
    else:
        sentence += " The figures compared are the same."
    sentences = [sentence]
    missing = [VARIABLE_LABELS[v] for v in WEIGHTS if v not in found]
    if missing:
        sentences.append(f"Compared on {len(found)} of {len(WEIGHTS)} measures; not reported for one of you: "
                         + ", ".join(missing) + ".")
    if "unknown" in (you.kind, peer.kind) and you.kind != peer.kind:
        sentences.append("The grades served could not be checked: one of you does not report its grade spans.")
    return sentences


# ---------------------------------------------------------------- rankings


@dataclass
class Peer:
    lea: LEA
    published_practices: int
    similarity: float
    distance: float
    kind: str
    reasons: list[str]


@dataclass
class PeerPractice:
    revision: Revision
    lea: LEA
    similarity: float
    fit: float
    reasons: list[str]

    @property
    def score(self) -> float:
        return self.similarity * self.fit


@dataclass
class Needs:
    """What the user wants to improve: Dashboard indicators and student groups."""

    indicators: list[str] = field(default_factory=list)
    student_groups: list[str] = field(default_factory=list)


@dataclass
class PeerAnswer:
    profile: Profile
    kind: str
    leas: list[Peer]
    results: list[PeerPractice]
    weak_match: bool

    @property
    def message(self) -> str | None:
        if not self.weak_match:
            return None
        if self.profile.known < MIN_SHARED:
            return (f"Weak match: your profile gives fewer than {MIN_SHARED} of the figures compared, so no LEA "
                    "can be matched. Describe your LEA by hand: at least its enrollment and % unduplicated.")
        found = {0: "No LEA", 1: "Only one LEA"}.get(len(self.leas), f"Only {len(self.leas)} LEAs")
        return (f"Weak match: {found} with published practices passed the calipers (fewer than {MIN_PEERS} of "
                "your kind, reporting enough of the same figures). The list is not padded with LEAs that differ "
                "more; read the figures before borrowing.")


def profile_for(lea_id: int | None, given: dict) -> Profile:
    """The profile to match: the LEA's own (unknown id: NotFound), or the figures given by hand."""
    if lea_id is not None:
        return Profile.of(queries.get_lea(lea_id))
    known = {f.name for f in fields(Profile)}
    return Profile(**{k: v for k, v in given.items() if k in known and v is not None})


def find_peers(profile: Profile, needs: Needs | None = None) -> PeerAnswer:
    """The LEAs with published practices most like `profile`, and their practices ranked for `needs`."""
    needs = needs or Needs()
    counts = queries.published_counts()
    everyone = [(lea, Profile.of(lea)) for lea in queries.all_leas()]
    kind = profile.kind
    scales = spreads(p for _, p in everyone if p.kind == kind or (kind == "unknown" and comparable(kind, p.kind)))
    peers = []
    for lea, other in everyone:
        if lea.id == profile.lea_id or not counts.get(lea.id) or not comparable(kind, other.kind):
            continue
        if outside_calipers(profile, other):
            continue
        found = differences(profile, other, scales)
        if len(found) < MIN_SHARED:
            continue
        d = distance(found)
        peers.append(Peer(lea, counts[lea.id], round(math.exp(-d), 3), d, other.kind,
                          explain(profile, other, found)))
    peers.sort(key=lambda p: (p.distance, p.lea.name.lower(), p.lea.id))
    weak = len(peers) < MIN_PEERS
    return PeerAnswer(profile, kind, peers[:MAX_PEERS], rank_practices(profile, peers, needs), weak)


def _fit(profile: Profile, revision: Revision, needs: Needs) -> tuple[float, list[str]]:
    """How well a practice fits the need (0.5–1), and the sentences saying why."""
    components, reasons = [], []
    indicators, groups = set(revision.codes("indicator")), set(revision.codes("student_group"))
    wanted = len(needs.indicators) + len(needs.student_groups)
    if wanted:
        hit_i = [c for c in needs.indicators if c in indicators]
        hit_g = [c for c in needs.student_groups if c in groups]
        components.append((len(hit_i) + len(hit_g)) / wanted)
        labels = [DASHBOARD_INDICATORS.label_for(c) for c in hit_i] + [STUDENT_GROUPS.label_for(c) for c in hit_g]
        reasons.append("On what you want to improve: " + ", ".join(labels) + "." if labels
                       else "Not tagged with the indicators or student groups you chose.")
    if profile.grade_spans:
        shared = [c for c in profile.grade_spans if c in set(revision.codes("grade_span"))]
        components.append(len(shared) / len(profile.grade_spans))
        if shared:
            reasons.append("For grades you serve: " + ", ".join(SPAN_WORDS[c] for c in shared) + ".")
    reported = sorted({m.indicator for m in revision.outcome_metrics if m.indicator in needs.indicators},
                      key=needs.indicators.index)
    if reported:
        reasons.append("Reports outcome data on " + ", ".join(DASHBOARD_INDICATORS.label_for(c) for c in reported)
                       + " (outcomes are not used to choose peers).")
    fit = 0.5 + 0.5 * (sum(components) / len(components)) if components else 1.0
    return fit, reasons


def rank_practices(profile: Profile, peers: list[Peer], needs: Needs) -> list[PeerPractice]:
    by_lea = {p.lea.id: p for p in peers}
    ranked = []
    for revision in queries.published_of_leas(by_lea):
        peer = by_lea[revision.practice.lea_id]
        fit, reasons = _fit(profile, revision, needs)
        ranked.append(PeerPractice(revision, peer.lea, peer.similarity, round(fit, 3),
                                   [f"From {peer.lea.name} (similarity {peer.similarity:.2f}).", *reasons]))
    ranked.sort(key=lambda r: (-r.score, r.revision.title.lower()))
    return ranked[:MAX_PRACTICES]


PROFILE_ARGS = ("type", "locale", "enrollment", "unduplicated_pct", "el_pct", "foster_youth_pct", "swd_pct",
                "homeless_pct")


def peers_for(args: dict) -> PeerAnswer:
    """The answer to the /peers parameters (as PeersArgsSchema loads them): an LEA's id or a profile, and needs."""
    given = {key: args.get(key) for key in PROFILE_ARGS}
    profile = profile_for(args.get("lea"), {**given, "grade_spans": list(args.get("grade_span") or [])})
    return find_peers(profile, Needs(list(args.get("indicator") or []), list(args.get("student_group") or [])))


def peers_for_lea(lea_id: int, needs: Needs | None = None) -> PeerAnswer:
    return find_peers(profile_for(lea_id, {}), needs)


# ---------------------------------------------------------------- similar practices

SPAN_WORDS = {"prek": "preschool/TK", "k_5": "grades K–5", "6_8": "grades 6–8", "9_12": "grades 9–12",
              "adult": "adult education"}
SHARED_VOCABULARIES = ("topic", "indicator", "student_group", "grade_span")
MAX_SIMILAR = 4
SHOWN_TAGS = 3  # at most this many shared topics, and shared groups or grades, in a reason
CONTENT_WEIGHT = 0.6  # the rest is the share of the practice's tags the other shares
_STOPWORDS = frozenset(
    "a an and are as at be by for from how in into is it its of on or our that the their this to was we were "
    "what when with without who why all more than through using use program programs".split()
)


@dataclass
class SimilarPractice:
    revision: Revision
    score: float
    reason: str


def distinctive_query(revision: Revision) -> str:
    """The practice's distinctive words: its title, keywords and topic labels, without the common words."""
    text = " ".join([revision.title, *(revision.keywords or []),
                     *(TOPICS.label_for(c) for c in revision.codes("topic"))])
    words = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9'’-]+", text):
        if word.lower() not in _STOPWORDS and word.lower() not in (w.lower() for w in words):
            words.append(word)
    return " ".join(words[:24])


_PROPER = ("English", "African", "American", "Asian", "Filipino", "Hispanic", "Pacific", "White")


def _lower(label: str) -> str:
    """A label inside a sentence: "Mathematics" → "mathematics", but "English learners" keeps its capital."""
    return label if label.startswith(_PROPER) else label[0].lower() + label[1:]


def _shared_reason(revision: Revision, other: Revision) -> str:
    def common(vocabulary: str) -> list[str]:
        theirs = set(other.codes(vocabulary))
        return [c for c in revision.codes(vocabulary) if c in theirs]

    about = [_lower(TOPICS.label_for(c)) for c in common("topic")] + [
        _lower(DASHBOARD_INDICATORS.label_for(c)) for c in common("indicator")]
    shares = [_lower(STUDENT_GROUPS.label_for(c)) for c in common("student_group") if c != "all_students"] + [
        SPAN_WORDS[c] for c in common("grade_span")]
    parts = []
    if about:
        parts.append("also about " + ", ".join(dict.fromkeys(about[:SHOWN_TAGS])))
    if shares:
        parts.append("shares: " + ", ".join(shares[:SHOWN_TAGS]))
    return "; ".join(parts) or "similar words in its write-up"


def similar_practices(revision: Revision, limit: int = MAX_SIMILAR) -> list[SimilarPractice]:
    """The published practices closest to `revision` by content and shared tags; never itself."""
    content: dict[int, float] = {}
    hits = search_service.search(distinctive_query(revision), {}, "relevance", 1, 20).items
    best = max((hit.score for other, hit in hits if other.id != revision.id), default=0.0)
    found = {other.id: other for other, _ in hits}
    for other, hit in hits:
        if other.id != revision.id and best > 0:
            content[other.id] = hit.score / best
    own_tags = len([t for t in revision.tags if t.vocabulary in SHARED_VOCABULARIES])
    shared = queries.shared_tag_counts(revision, SHARED_VOCABULARIES)
    missing = [rid for rid in shared if rid not in found]
    found.update(queries.published_by_ids(missing))
    scored = []
    for rid, other in found.items():
        if rid == revision.id or other.practice_id == revision.practice_id:
            continue
        score = CONTENT_WEIGHT * content.get(rid, 0.0) + (1 - CONTENT_WEIGHT) * shared.get(rid, 0) / max(own_tags, 1)
        if score > 0:
            scored.append(SimilarPractice(other, round(score, 3), _shared_reason(revision, other)))
    scored.sort(key=lambda s: (-s.score, s.revision.title.lower()))
    return scored[:limit]

