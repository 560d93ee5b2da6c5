"""Synthetic practices for benchmarks: realistic, reproducible, every vocabulary filled.

Shared by bench/engine_bench.py (engine level) and the app's HTTP benchmark. Document i depends only on
(seed, i), so the first 5,000 documents of a 50,000 corpus are the 5,000 corpus.

Word frequencies follow a Zipf law over function words, ~700 education words and a long tail of
made-up words (a real corpus of 50M words has a lexicon of hundreds of thousands of types). Education
phrases ("English learners", "chronic absenteeism", "multi-tiered system of supports" ...) and
acronyms in capitals are sprinkled in, so synonyms, phrases and acronyms have something to match.
The query mix is drawn from the same model: plain words are chosen by their expected document
frequency so that a query's every-word match covers about a quarter of the corpus.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from clearinghouse.taxonomy import VOCABULARIES as TAXONOMY

FUNCTION_WORDS = (
    "the of and to in a for is that on with as by are this be at from or an was it their have which"
    " were has its not but all more also can will these they our each than into been other who had"
    " most such through when there about what over only both would how many between during them"
    " those some then while after where very could should may so up out one two three first new"
    " per we us any same because before under before across against within without"
).split()

EDU_WORDS = (
    "students school district teachers learning support schools improvement data education system"
    " county state local focus work needs outcomes continuous dashboard capacity development"
    " professional staff process efforts approach action team year resources program superintendent"
    " practices implementation feedback provide high community building services practice"
    " opportunities improve agencies time leadership charter plan educational areas technical"
    " stakeholders progress math focused address provided coaching based analysis statewide office"
    " city instruction differentiated collaborative board aligned percent partnerships develop"
    " collaboration specific learned information help funds english build problem mathematics equity"
    " results regional performing model identify engagement growth goals control teacher strategies"
    " serve research funding change academic training systems participants members learners leaders"
    " instructional initial theory supports region performance networks intended include implement"
    " department achievement using supporting root plans order meet level inform improving federal"
    " engage elements critical central best accountability working tools superintendents review"
    " report reflect public overall outcome offices meeting joint groups designed create challenges"
    " additional activities various share receive multiple investment example ensure design"
    " commitment union shared related programs processes population planning impact content"
    " communities assessment understanding summary special pilots opportunity lessons improved goal"
    " excellence effective educators director current consistent common characteristics centers"
    " causes available administrators workshops trainings structure standards small site service"
    " providers online metrics meetings framework early determine creating compact center cause"
    " assessments update reduced received quality promising place course communication changes"
    " attended area sustain role relationships problems principals principal positive policy"
    " personnel participating organizations networking vision underlying ultimately teaching"
    " supported structures attendance absenteeism chronic suspension suspensions suspended"
    " discipline behavior behavioral interventions intervention tiered tier universal targeted"
    " intensive reclassification reclassified literacy reading writing language arts science"
    " graduation graduate college career readiness pathways enrollment enrolled credit recovery"
    " counseling counselors families family parents parent caregivers outreach home visits"
    " homeless foster youth disabilities inclusion inclusive classroom classrooms grade grades"
    " kindergarten preschool elementary middle secondary high-school ninth tenth eleventh twelfth"
    " socioeconomically disadvantaged unduplicated low-income rural suburban urban town"
    " mentoring mentors tutoring tutors afterschool summer expanded extended schedule calendar"
    " bell period minutes hours days weeks months semester quarter trimester cohort cohorts"
    " baseline target targets measure measures measured indicator indicators rate rates"
    " survey surveys climate culture safety safe belonging connectedness wellness health mental"
    " counseling restorative justice circles conflict mediation expulsion expelled truancy truant"
    " absences absent tardies chronically engagement engaged motivation agency voice choice"
    " curriculum curricular materials textbooks adoption aligned alignment units lessons lesson"
    " study studies observation observations walkthroughs rounds visits protocols protocol norms"
    " agenda agendas minutes facilitator facilitators facilitation coach coaches cycle cycles"
    " inquiry evidence rubric rubrics scoring calibration benchmark benchmarks interim formative"
    " summative diagnostic screener screening universal progress monitoring intervention"
    " small-group one-on-one pull-out push-in co-teaching co-taught paraprofessionals aides"
    " specialists psychologist psychologists nurse nurses social worker workers liaison liaisons"
    " translators translation interpreters bilingual multilingual emergent newcomer newcomers"
    " designated integrated vocabulary oral academic discourse sentence frames scaffolds"
    " technology devices laptops chromebooks connectivity hotspots platform software licenses"
    " budget budgets fiscal allocation allocations grant grants braided funding sources title"
    " governance trustees policies policy bargaining union contract hiring retention recruitment"
    " vacancies substitutes credentialed credential induction residency pipeline preparation"
    " principals administrators cabinet leadership distributed shared decision-making consensus"
    " transparency trust relationships buy-in ownership sustainability scale scaling spread"
    " replicate replication pilot piloted piloting prototype iterate iteration iterative"
    " fidelity dosage implementation monitoring evaluation evaluator findings recommendations"
    " technical assistance differentiated comprehensive targeted additional identified eligible"
    " criteria dashboard colors red orange yellow green blue status change performance levels"
    " disaggregated subgroup subgroups student-level school-level district-level statewide"
    " regional county-level partnership partners agencies nonprofit university universities"
    " community-based employers internships apprenticeships certificates industry sector"
    " pathway articulation transfer admissions requirements coursework courses sections master"
    " scheduling counselors transcripts audits audit placement placements algebra geometry"
    " fractions numeracy phonics phonemic decoding fluency comprehension writers readers"
    " libraries library books independent guided shared interactive read-aloud"
).split()

# Phrases educators write (and search for), each with a relative frequency.
PHRASES = (
    ("English learners", 30), ("English learner", 10), ("English language learners", 6),
    ("multilingual learners", 5), ("emergent bilingual students", 3), ("ELs", 10), ("EL", 12),
    ("long-term English learners", 5), ("LTELs", 3), ("students with disabilities", 20),
    ("special education", 15), ("IEP", 8), ("SWD", 4), ("foster youth", 15), ("FY", 2),
    ("PBIS", 8), ("positive behavioral interventions and supports", 4), ("SEL", 8),
    ("social-emotional learning", 8), ("PLC", 10), ("professional learning communities", 10),
    ("MTSS", 12), ("multi-tiered system of supports", 8), ("continuous improvement", 20),
    ("CI", 4), ("PDSA cycle", 6), ("plan-do-study-act", 3), ("chronic absenteeism", 18),
    ("chronic absence", 4), ("attendance", 12), ("truancy", 3), ("suspension rates", 8),
    ("exclusionary discipline", 4), ("A-G", 6), ("A-G requirements", 4), ("CTE", 6),
    ("career technical education", 5), ("dual enrollment", 6), ("ELD", 6),
    ("English language development", 5), ("designated ELD", 3), ("LCAP", 15),
    ("Local Control and Accountability Plan", 4), ("LCFF", 8), ("Local Control Funding Formula", 3),
    ("UDL", 3), ("universal design for learning", 3), ("AVID", 4), ("TK", 4),
    ("transitional kindergarten", 4), ("ELA", 10), ("English language arts", 6), ("SPED", 2),
    ("differentiated assistance", 10), ("DA", 3), ("county office of education", 10), ("COE", 5),
    ("root cause analysis", 10), ("theory of action", 6), ("improvement science", 6),
    ("data dashboard", 4), ("California School Dashboard", 6), ("graduation rate", 8),
    ("college and career indicator", 4), ("reclassification rate", 5), ("math scores", 6),
    ("family engagement", 8), ("community schools", 5), ("early learning", 4),
    ("credit recovery", 4), ("data use", 4), ("school climate", 6), ("student voice", 3),
    ("learning walks", 3), ("instructional rounds", 3), ("lesson study", 3),
)

LEA_PLACES = (
    "Alder Creek", "Bayview", "Cedar Valley", "Coastal", "Desert Sands", "Eastside", "Elk Grove",
    "Fairview", "Foothill", "Golden Plains", "Granite", "Harbor", "Highland", "Indian Wells",
    "Juniper", "Kings River", "Lakeside", "Laurel", "Lincoln", "Madrona", "Mesa Verde", "Mission",
    "Mountain View", "Oak Grove", "Orchard", "Pacific", "Palm Springs", "Pine Ridge", "Pleasant Hill",
    "Redwood", "Rio Vista", "Riverside", "Rocklin", "San Benito", "Sierra", "Silver Lake", "Sonora",
    "Sunnyside", "Sutter", "Tahoe", "Twin Rivers", "Valley Center", "Vista", "Westside", "Willow",
)

# Every facet's codes, from the app's one source of truth.
VOCABULARIES = {key: list(vocabulary.values) for key, vocabulary in TAXONOMY.items()}
# Interchange-format key for each facet (the app's import format).
INTERCHANGE_KEYS = {
    "priority": "state_priorities", "student_group": "student_groups", "grade_span": "grade_spans",
    "indicator": "dashboard_indicators", "topic": "topics", "tier": "support_tiers",
}
SECTIONS = ("problem", "root_causes", "journey", "actions", "outcomes", "lessons")
SECTION_SHARE = (0.16, 0.14, 0.26, 0.18, 0.14, 0.12)
BODY_WORDS = 1000
TAIL_SIZE = 60_000
ZIPF_S = 1.0

_SYLLABLES = (
    "ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho ka ke ki ko la le li lo"
    " lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve"
    " vi vo wa we wi ya yo za ze zo bar ber con den dor fen gar har kel lan len lor man mar mer mon nar"
    " nel per por ran ren ron sal sen ser sol tan ten tor val ven ver win"
).split()


def _tail_words(n: int) -> list[str]:
    rng = random.Random(7)
    seen = set(FUNCTION_WORDS) | set(EDU_WORDS)
    words = []
    while len(words) < n:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class _Model:
    """The word distribution: ranks -> words, cumulative Zipf weights, expected document frequencies."""

    def __init__(self) -> None:
        edu = list(dict.fromkeys(EDU_WORDS))
        # The first 40 education words ("students", "school", "district" ...) are as common as function
        # words, as in real write-ups; the others are shuffled into the ranks after them.
        top, rest = edu[:40], edu[40:]
        random.Random(11).shuffle(rest)
        function = list(dict.fromkeys(FUNCTION_WORDS))
        head = []
        for i, w in enumerate(function):
            head.append(w)
            if i % 2 == 1 and top:
                head.append(top.pop(0))
        head += top
        edu = [w for w in head if w not in function] + rest
        self.words = head + rest + _tail_words(TAIL_SIZE)
        weights = [1.0 / (r**ZIPF_S) for r in range(1, len(self.words) + 1)]
        total = sum(weights)
        self.prob = {w: p / total for w, p in zip(self.words, weights, strict=True)}
        self.cum = list(accumulate(weights))
        self.phrases = [p for p, _ in PHRASES]
        self.phrase_cum = list(accumulate(f for _, f in PHRASES))
        self.edu = edu

    def doc_frequency(self, word: str, length: int = BODY_WORDS) -> float:
        """Expected share of documents whose body contains `word` at least once."""
        return 1.0 - math.exp(-self.prob.get(word, 0.0) * length)


_MODEL: _Model | None = None


def model() -> _Model:
    global _MODEL
    if _MODEL is None:
        _MODEL = _Model()
    return _MODEL


def _sentences(rng: random.Random, m: _Model, n_words: int) -> str:
    words = rng.choices(m.words, cum_weights=m.cum, k=n_words)
    # About one education phrase per 40 words, replacing a word.
    for _ in range(max(1, n_words // 40)):
        words[rng.randrange(n_words)] = rng.choices(m.phrases, cum_weights=m.phrase_cum)[0]
    out = []
    i = 0
    while i < n_words:
        k = rng.randint(8, 24)
        chunk = words[i : i + k]
        chunk[0] = chunk[0][:1].upper() + chunk[0][1:]
        out.append(" ".join(chunk) + ("." if rng.random() < 0.92 else "?"))
        i += k
    return " ".join(out)


def _markdown(rng: random.Random, m: _Model, n_words: int) -> str:
    """A section: paragraphs, sometimes a bullet list, sometimes bold words, like real write-ups."""
    parts = []
    left = n_words
    while left > 0:
        k = min(left, rng.randint(40, 120))
        text = _sentences(rng, m, k)
        if rng.random() < 0.25:
            items = text.split(". ")
            text = "\n".join(f"- {item.strip()}" for item in items if item.strip())
        elif rng.random() < 0.3:
            ws = text.split(" ")
            j = rng.randrange(len(ws))
            ws[j] = f"**{ws[j]}**"
            text = " ".join(ws)
        parts.append(text)
        left -= k
    return "\n\n".join(parts)


def _pick(rng: random.Random, values: list[str], lo: int, hi: int, skew: float = 1.2) -> list[str]:
    k = rng.randint(lo, hi)
    weights = [1.0 / (r**skew) for r in range(1, len(values) + 1)]
    chosen: list[str] = []
    while len(chosen) < k:
        v = rng.choices(values, weights=weights)[0]
        if v not in chosen:
            chosen.append(v)
    return chosen


def practice(i: int, seed: int = 2024) -> dict:
    """Practice number i in the interchange format of DESIGN.md (plus nothing else)."""
    m = model()
    rng = random.Random(seed * 1_000_003 + i)
    topic_words = rng.sample(m.edu[:300], 3)
    phrase = rng.choices(m.phrases, cum_weights=m.phrase_cum)[0]
    title = rng.choice(
        (
            "{a} {b} for {p}",
            "Building {a} {b} through {c}",
            "{p}: {a} and {b}",
            "A {a} approach to {p} and {c}",
        )
    ).format(a=topic_words[0], b=topic_words[1], c=topic_words[2], p=phrase)
    title = title[:1].upper() + title[1:] + f" ({i})"
    place = rng.choice(LEA_PLACES)
    lea_type = rng.choices(VOCABULARIES["lea_type"], weights=(8, 2, 3))[0]
    suffix = {"district": "Unified School District", "county_office": "County Office of Education",
              "charter": "Charter Academy"}[lea_type]
    body_words = int(BODY_WORDS * rng.uniform(0.8, 1.2))
    sections = {
        name: _markdown(rng, m, max(20, int(body_words * share)))
        for name, share in zip(SECTIONS, SECTION_SHARE, strict=True)
    }
    out = {
        "title": title,
        "summary": _sentences(rng, m, rng.randint(55, 85))[:600],
        "lea": {
            "name": f"{place} {suffix}",
            "type": lea_type,
            "county": _pick(rng, VOCABULARIES["county"], 1, 1, 0.8)[0],
            "locale": rng.choice(VOCABULARIES["locale"]),
        },
        "state_priorities": sorted(int(p) for p in _pick(rng, VOCABULARIES["priority"], 1, 3)),
        "student_groups": _pick(rng, VOCABULARIES["student_group"], 1, 4),
        "grade_spans": _pick(rng, VOCABULARIES["grade_span"], 1, 3, 0.5),
        "dashboard_indicators": _pick(rng, VOCABULARIES["indicator"], 1, 3, 0.8),
        "topics": _pick(rng, VOCABULARIES["topic"], 1, 4, 0.6),
        "support_tiers": _pick(rng, VOCABULARIES["tier"], 1, 2, 0.8),
        "evidence_level": rng.choices(VOCABULARIES["evidence"], weights=(1, 2, 4, 3, 10, 2))[0],
        "sections": sections,
        "keywords": [rng.choices(m.phrases, cum_weights=m.phrase_cum)[0] for _ in range(rng.randint(2, 6))],
    }
    # Back the evidence level as the importer requires: a study for the ESSA tiers, a measured result for local.
    level = out["evidence_level"]
    if level in ("strong", "moderate", "promising"):
        out["resources"] = [{"title": f"Evaluation of {topic_words[0]} {topic_words[1]}", "kind": "study"}]
    elif level == "local":
        baseline = round(rng.uniform(5, 60), 1)
        out["outcome_metrics"] = [{"label": f"{phrase} rate", "unit": "percent", "baseline": baseline,
                                   "result": round(baseline + rng.uniform(-5, 15), 1)}]
    return out


def published_at(i: int, seed: int = 2024) -> datetime:
    rng = random.Random(seed * 7_000_003 + i)
    return datetime(2016, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10 * 365 * 86400))


def engine_document(p: dict, slug: str, published: datetime) -> dict:
    """The search engine's document dict for an interchange-format practice."""
    lea = p["lea"]
    return {
        "slug": slug,
        "stamp": published.isoformat(),
        "title": p["title"],
        "summary": p["summary"],
        "lea_name": lea["name"],
        "sections": p["sections"],
        "keywords": p.get("keywords", []),
        "published_at": published,
        "priority": [str(x) for x in p["state_priorities"]],
        "student_group": list(p["student_groups"]),
        "grade_span": list(p["grade_spans"]),
        "indicator": list(p.get("dashboard_indicators", [])),
        "topic": list(p.get("topics", [])),
        "tier": list(p.get("support_tiers", [])),
        "evidence": [p["evidence_level"]],
        "locale": [lea["locale"]] if lea.get("locale") else [],
        "lea_type": [lea["type"]],
        "county": [lea["county"]],
    }


def engine_documents(n: int, seed: int = 2024):
    """Yield n engine documents (slug "practice-<i>")."""
    for i in range(n):
        yield engine_document(practice(i, seed), f"practice-{i}", published_at(i, seed))


def queries(n: int = 200, seed: int = 99) -> list[dict]:
    """A fixed query mix: {"q", "filters", "sort", "page"}.

    About 80% are 1-3 plain education words chosen by expected document frequency so that their
    every-word match is 20-32% of the corpus; the rest are what educators type: acronyms, synonym
    phrases, quoted phrases, typos.
    A third carry 1-3 filters; most ask for page 1 by relevance.
    """
    from clearinghouse.search.analysis import stem

    m = model()
    rng = random.Random(seed)
    # Words whose stem no other word shares and that no phrase contains, so that the Zipf model
    # predicts their document frequency ("tutors" would also match "tutoring").
    stems: dict[str, int] = {}
    for w in m.edu:
        stems[stem(w.lower())] = stems.get(stem(w.lower()), 0) + 1
    in_phrases = {stem(x.lower()) for p in m.phrases for x in p.replace("-", " ").split()}
    plain = [w for w in m.edu if stems[stem(w)] == 1 and stem(w) not in in_phrases and "-" not in w]
    singles = [w for w in plain if 0.2 <= m.doc_frequency(w) <= 0.32]
    common = [w for w in plain if m.doc_frequency(w) >= 0.3]

    def words(size: int) -> str:
        if size == 1:
            return rng.choice(singles)
        while True:  # independent words: the every-word match is the product of their frequencies
            chosen = rng.sample(common, size)
            share = math.prod(m.doc_frequency(w) for w in chosen)
            if 0.2 <= share <= 0.32:
                return " ".join(chosen)

    educator = [
        "EL", "English learners", "ELL reclassification", "PBIS", "MTSS", "SEL", "chronic absenteeism",
        "attendance", "foster youth", "students with disabilities", "PLC", "continuous improvement",
        "PDSA", "A-G", "CTE pathways", "dual enrollment", "ELD", "LCAP goals", "differentiated assistance",
        "\"root cause analysis\"", "\"theory of action\"", "reclasification", "absenteesm", "mathmatics",
        "suspensions", "transitional kindergarten", "special education inclusion", "COE", "UDL", "AVID",
    ]
    out = []
    for k in range(n):
        if k % 5 == 4:
            q = educator[(k // 5) % len(educator)]
        else:
            q = words(1 + k % 3)
        filters: dict[str, list[str]] = {}
        if k % 3 == 1:
            for facet in rng.sample(list(VOCABULARIES), rng.randint(1, 3)):
                vals = VOCABULARIES[facet]
                filters[facet] = rng.sample(vals[: max(2, len(vals) // 2)], rng.choice((1, 1, 2)))
        sort = "relevance" if k % 10 < 8 else ("newest" if k % 10 == 8 else "title")
        page = 2 if k % 17 == 16 else 1
        out.append({"q": q, "filters": filters, "sort": sort, "page": page})
    return out
