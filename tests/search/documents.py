"""Test documents for the engine: a small corpus with known right answers, and random practices.

CORPUS is written so that exactly the documents named in a test should (or should not) match.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from clearinghouse.search.engine import FACETS, SearchResult

T0 = datetime(2023, 1, 1, tzinfo=UTC)


def practice(slug, title, summary="", body="", *, keywords=(), lea="Harbor Unified School District",
             days=0, sections=None, **facets):
    doc = {
        "slug": slug,
        "stamp": f"stamp-{slug}",
        "title": title,
        "summary": summary,
        "lea_name": lea,
        "sections": sections if sections is not None else {"journey": body},
        "keywords": list(keywords),
        "published_at": T0 + timedelta(days=days),
    }
    for facet in FACETS:
        doc[facet] = list(facets.get(facet, []))
    return doc


CORPUS = [
    practice(
        "el-leaders", "Teacher leaders for English learners",
        "Teacher leaders coached colleagues on designated ELD; reclassification rose by six points.",
        "Our English Learners needed more time with academic language. ELs met in small groups.",
        days=10, priority=["2", "4"], student_group=["english_learners"], grade_span=["6_8", "9_12"],
        indicator=["ela", "el_progress"], topic=["el_instruction", "leadership"], tier=["tier1"],
        evidence=["local"], locale=["city"], lea_type=["district"], county=["Orange"],
    ),
    practice(
        "el-dorado-math", "Mathematics pathways in the foothills",
        "A high school district aligned its mathematics courses and budget.",
        "El Dorado families asked for more courses. The FY 2023-24 budget paid for tutors in elementary "
        "classrooms. Civic groups helped. The English teachers and the learners met twice.",
        lea="El Dorado Union High School District", days=20, priority=["4", "7"],
        student_group=["all_students"], grade_span=["9_12"], indicator=["math"], topic=["math"],
        tier=["tier1"], evidence=["promising"], locale=["rural"], lea_type=["district"],
        county=["El Dorado"],
    ),
    practice(
        "pbis-suspensions", "Fewer suspensions with PBIS",
        "A middle school cut out-of-school suspensions in half.",
        "Students were suspended less often once positive behavioral interventions and supports began.",
        days=30, priority=["6"], student_group=["african_american", "students_with_disabilities"],
        grade_span=["6_8"], indicator=["suspension"], topic=["behavior_pbis", "school_climate"],
        tier=["tier1", "tier2"], evidence=["moderate"], locale=["suburb"], lea_type=["district"],
        county=["Kern"],
    ),
    practice(
        "restorative", "Restorative circles instead of exclusion",
        "Staff replaced exclusionary discipline with restorative conversations.",
        "Referrals fell over two years.", days=40, priority=["6"], student_group=["all_students"],
        grade_span=["9_12"], indicator=["suspension"], topic=["school_climate"], tier=["tier2"],
        evidence=["local"], locale=["city"], lea_type=["charter"], county=["Los Angeles"],
    ),
    practice(
        "attendance-outreach", "Home visits that brought students back",
        "Family liaisons called home on the second absence.",
        "Chronic absenteeism fell from 21 percent to 14 percent in two years.", days=50,
        priority=["5"], student_group=["socioeconomically_disadvantaged"], grade_span=["k_5"],
        indicator=["chronic_absenteeism"], topic=["attendance", "family_engagement"], tier=["tier2"],
        evidence=["local"], locale=["town"], lea_type=["district"], county=["Tulare"],
    ),
    practice(
        "truancy-board", "A school attendance review board that listens",
        "Counselors met families before any referral for truancy.", "Hearings moved to the evening.",
        days=60, priority=["5"], student_group=["all_students"], grade_span=["9_12"],
        indicator=["chronic_absenteeism"], topic=["attendance"], tier=["tier3"], evidence=["rationale"],
        locale=["rural"], lea_type=["county_office"], county=["Tulare"],
    ),
    practice(
        "foster-liaisons", "Liaisons for foster youth",
        "Each FY student had one adult who tracked credits.", "Foster youth graduation rose.", days=70,
        priority=["10"], student_group=["foster_youth"], grade_span=["9_12"], indicator=["graduation"],
        topic=["credit_recovery"], tier=["tier3"], evidence=["local"], locale=["city"],
        lea_type=["county_office"], county=["Fresno"],
    ),
    practice(
        "inclusion", "Co-teaching for students with disabilities",
        "General and special education teachers planned together.",
        "Every IEP team set one reading goal.", days=80, priority=["4"],
        student_group=["students_with_disabilities"], grade_span=["k_5", "6_8"], indicator=["ela"],
        topic=["special_education"], tier=["tier1"], evidence=["promising"], locale=["suburb"],
        lea_type=["district"], county=["San Diego"],
    ),
    practice(
        "mtss", "Building a multi-tiered system of supports",
        "Schools screened every student three times a year.",
        "Our multi-tiered systems of support teams met weekly. The PDSA cycle guided changes.",
        keywords=["continuous improvement"], days=90, priority=["4", "5"], student_group=["all_students"],
        grade_span=["k_5"], indicator=["ela", "math"], topic=["mtss", "continuous_improvement"],
        tier=["tier1", "tier2", "tier3"], evidence=["local"], locale=["city"], lea_type=["district"],
        county=["Sacramento"],
    ),
    practice(
        "plc", "Professional learning communities that look at student work",
        "Grade-level teams used plan-do-study-act cycles.", "PLC meetings protected weekly time.",
        days=100, priority=["2"], student_group=["all_students"], grade_span=["k_5"], indicator=["ela"],
        topic=["collaboration_plc", "professional_learning"], tier=["tier1"], evidence=["local"],
        locale=["suburb"], lea_type=["district"], county=["Sacramento"],
    ),
    practice(
        "a-g", "Raising A-G completion",
        "Counselors audited transcripts; CTE pathways and dual enrollment grew.",
        "Career technical education courses now count toward a–g.", days=110, priority=["7", "8"],
        student_group=["hispanic"], grade_span=["9_12"], indicator=["college_career"],
        topic=["college_career"], tier=["tier1"], evidence=["local"], locale=["town"],
        lea_type=["district"], county=["Merced"],
    ),
    practice(
        "newcomers", "Newcomer pathways",
        "Students learned how to reclassify and what the ELPAC measures.",
        "Multilingual learners who reclassified kept support.", days=120, priority=["4"],
        student_group=["english_learners"], grade_span=["9_12"], indicator=["el_progress"],
        topic=["el_instruction"], tier=["tier2"], evidence=["local"], locale=["city"],
        lea_type=["district"], county=["Orange"],
    ),
    practice(
        "family-nights", "<script>alert('x')</script> Family nights",
        "Parents & families <b>engaged</b> in math games.", "Family math nights ran monthly.",
        days=130, priority=["3"], student_group=["all_students"], grade_span=["k_5"],
        indicator=["family_engagement"], topic=["family_engagement", "math"], tier=["tier1"],
        evidence=["local"], locale=["city"], lea_type=["charter"], county=["Alameda"],
    ),
    practice(
        "tk", "Opening transitional kindergarten classrooms",
        "Three sites opened TK rooms.", "Teachers earned early childhood units.", days=140,
        priority=["1"], student_group=["all_students"], grade_span=["prek"], indicator=["basics"],
        topic=["early_learning"], tier=["tier1"], evidence=["local"], locale=["rural"],
        lea_type=["district"], county=["Kern"],
    ),
    practice(
        "sel", "Advisory periods for social-emotional learning",
        "Every student met an adult daily.", "Climate survey results improved in belonging.", days=150,
        priority=["6"], student_group=["all_students"], grade_span=["6_8"], indicator=["climate_survey"],
        topic=["school_climate"], tier=["tier1"], evidence=["local"], locale=["suburb"],
        lea_type=["district"], county=["Marin"],
    ),
    practice(
        "root-cause", "Starting with a root cause analysis",
        "The team interviewed students first.", "A root cause analysis showed schedules were the problem.",
        days=160, priority=["4"], student_group=["all_students"], grade_span=["6_8"], indicator=["math"],
        topic=["data_use", "continuous_improvement"], tier=["tier1"], evidence=["local"], locale=["city"],
        lea_type=["district"], county=["Fresno"],
    ),
    practice(
        "scattered", "Analysis of the budget",
        "Each cause was listed.", "The root of the matter: cause and analysis are separate here.",
        days=170, priority=["1"], student_group=["all_students"], grade_span=["9_12"], indicator=["basics"],
        topic=["fiscal"], tier=["tier1"], evidence=["local"], locale=["town"], lea_type=["district"],
        county=["Napa"],
    ),
]
BY_SLUG = {d["slug"]: d for d in CORPUS}


def slugs(result: SearchResult) -> list[str]:
    return [h.slug for h in result.hits]


def complete(result: SearchResult) -> list[str]:
    """The hits that matched every word (the related practices beneath them left out)."""
    return [h.slug for h in result.hits if h.complete]


def search(engine, q, **kw) -> SearchResult:
    kw.setdefault("per_page", 100)
    return engine.search(q, kw.pop("filters", {}), **kw)


WORDS = (
    "students teachers English learners ELs suspensions suspended attendance chronic absenteeism PBIS "
    "MTSS A-G a–g FY 2023 reclassification El Dorado professional learning communities coaching data "
    "math mathematics family engagement IEP special education RtI the of and with"
).split()


def random_documents(n: int, seed: int = 5) -> list[dict]:
    """n practices of random words from WORDS (acronyms, phrases, stop words, hyphens, numbers)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        def text(k):
            return " ".join(rng.choice(WORDS) for _ in range(k))

        docs.append({
            "slug": f"d{i}",
            "stamp": f"s{i}",
            "title": text(6),
            "summary": text(30),
            "lea_name": rng.choice(["Kern High", "El Dorado Union", "Sacramento City Unified"]),
            "sections": {"problem": text(80), "journey": "- " + text(40) + "\n- **" + text(20) + "**",
                         "lessons": text(50)},
            "keywords": [text(2), text(1)],
            "published_at": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=i),
            **{f: rng.sample(["a", "b", "c", "San Bernardino"], rng.randint(0, 2)) for f in FACETS},
        })
    return docs


def well_formed(result: SearchResult, per_page: int) -> None:
    """What every answer promises, whatever was typed: a known match kind, nothing found exactly when
    match is "none", the page holding the first hits of the total, every facet, known documents."""
    assert result.match in ("all", "some", "none")
    assert (result.total == 0) == (result.match == "none")
    assert len(result.hits) == min(result.total, per_page)
    assert set(result.facets) == set(FACETS)
    assert all(h.slug in BY_SLUG for h in result.hits)
    assert len({h.slug for h in result.hits}) == len(result.hits)
