"""Similar practices, on every practice page: the closest published practices by content (the search engine, queried
with the practice's distinctive words) and by shared tags, each with a short reason; never itself or a draft."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Revision
from ..practices import queries
from ..search import service as search_service
from ..taxonomy import DASHBOARD_INDICATORS, STUDENT_GROUPS, TOPICS
from .service import SPAN_WORDS

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
    # Scores first, from the counts alone; only the practices that can be among the first `limit` (ties at the
    # cut included, for the title order) are read: at 5,000 practices reading every one that shares a tag
    # made a practice page take seconds.
    scores = {}
    for rid in set(found) | set(shared):
        score = CONTENT_WEIGHT * content.get(rid, 0.0) + (1 - CONTENT_WEIGHT) * shared.get(rid, 0) / max(own_tags, 1)
        if rid != revision.id and score > 0:
            scores[rid] = round(score, 3)
    if len(scores) > limit:
        cut = sorted(scores.values(), reverse=True)[limit - 1]
        scores = {rid: score for rid, score in scores.items() if score >= cut}
    found.update(queries.published_by_ids([rid for rid in scores if rid not in found]))
    scored = []
    for rid, score in scores.items():
        other = found.get(rid)
        if other is None or other.practice_id == revision.practice_id:
            continue
        scored.append(SimilarPractice(other, score, _shared_reason(revision, other)))
    scored.sort(key=lambda s: (-s.score, s.revision.title.lower()))
    return scored[:limit]

