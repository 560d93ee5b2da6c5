"""The words educators use for the same thing: synonyms, acronyms and word families, expanded at query time.

To extend, add a member to a group or a new group, and restart the app: queries are expanded when they
are run, so the index does not need rebuilding. How members are written matters:

- A member in capitals is an acronym ("EL", "MTSS"). It matches the acronym where a write-up writes it
  in capitals, with or without a plural "s" ("ELs", "IEPs"), and never an ordinary word with the same
  letters ("El Dorado", "fy"). People may type it in any case: "ell" finds the ELL group.
- A member of several words matches them as a phrase, in that order, in any letter case and with any
  ending the stemmer removes: "English learner" also matches "English Learners". Small words ("and",
  "of", "the") are skipped, so "multi-tiered system of support" also matches "multi-tiered systems
  of supports".
- Any member finds the documents of every member of its group, ranked a little below the words
  typed (query.SYNONYM). A member written with a leading "~" ("~truancy") is a weaker relation: it is
  found and finds the group, but ranks lower still (query.RELATED). A member written with a leading
  "<" ("<attendance") is broader: typing it also finds the group (ranked lower), but typing another
  member does not find it (so "chronic absenteeism" never matches "attended a summit").
- Members are concepts, never a bare common word ("attend", "support", "plan", "team"): a one-word
  member matches every sense of that word. tests/search/test_synonyms.py checks every entry (each
  member finds a document written with any other member; none finds a decoy that only has the
  members' words scattered).
- After changing this list, rebuild the index (synonym phrases are indexed as single terms; until
  the rebuild they are still found, by comparing positions).
"""

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("EL", "ELL", "English learner", "English language learner", "emergent bilingual",
     "multilingual learner", "DLL", "dual language learner"),
    ("LTEL", "long-term English learner", "long-term EL"),
    ("SWD", "SPED", "special education", "students with disabilities", "IEP",
     "individualized education program"),
    ("FY", "foster youth", "foster care", "foster student"),
    ("PBIS", "positive behavior interventions and supports", "positive behavioral interventions and supports",
     "positive behavior support", "positive behavioral support"),
    ("SEL", "social-emotional learning", "social-emotional"),
    ("PLC", "professional learning community"),
    ("MTSS", "multi-tiered system of support", "multi-tiered support"),
    ("RTI", "response to intervention"),
    ("CI", "continuous improvement"),
    ("PDSA", "plan-do-study-act"),
    ("chronic absenteeism", "chronic absence", "chronically absent", "~truancy", "<attendance"),
    ("suspension", "exclusionary discipline"),
    ("CTE", "career technical education"),
    ("dual enrollment", "concurrent enrollment", "CCAP", "College and Career Access Pathways"),
    ("ELD", "English language development"),
    ("ELA", "English language arts"),
    ("LCAP", "Local Control and Accountability Plan"),
    ("LCFF", "Local Control Funding Formula"),
    ("UDL", "universal design for learning"),
    ("AVID", "Advancement Via Individual Determination"),
    ("TK", "transitional kindergarten", "UTK", "universal transitional kindergarten"),
    ("DA", "differentiated assistance"),
    ("COE", "county office of education", "county office"),
    ("LEA", "local educational agency", "local education agency"),
    ("CCEE", "California Collaborative for Educational Excellence"),
    ("CSI", "comprehensive support and improvement"),
    ("ATSI", "additional targeted support and improvement"),
    ("SBE", "State Board of Education"),
    ("CDE", "California Department of Education"),
    ("ESSA", "Every Student Succeeds Act"),
    ("SED", "socioeconomically disadvantaged", "low-income"),
    ("ELAC", "English Learner Advisory Committee"),
    ("DELAC", "District English Learner Advisory Committee"),
    ("SPSA", "School Plan for Student Achievement"),
    ("CAASPP", "California Assessment of Student Performance and Progress"),
    ("ELPAC", "English Language Proficiency Assessments for California"),
    ("NGSS", "Next Generation Science Standards"),
    ("PD", "professional development"),
    ("family engagement", "parent engagement", "parent involvement", "family involvement"),
    ("homelessness", "homeless", "McKinney-Vento", "unhoused"),
    ("restorative practices", "restorative justice"),
    ("African American", "Black student", "Black youth"),
    ("teacher shortage", "teacher vacancy", "hard-to-staff"),
)

# Words the stemmer does not bring together (an English stemmer strips endings; it does not know that
# "suspended" and "suspensions" are the same idea). A query for any member finds all of them.
WORD_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("suspend", "suspension"),
    ("expel", "expulsion"),
    ("absent", "absence", "absenteeism"),
    ("math", "mathematics", "mathematical"),
    ("reclassify", "reclassification"),
    ("comprehend", "comprehension"),
    ("intervene", "intervention"),
    ("behave", "behavior", "behaviour"),
    ("literacy", "literate"),
    ("truant", "truancy"),
    ("disabled", "disability"),
)

# Applied when documents are indexed (rebuild the index after changing these two):
# terms written with hyphens that must stay one word ("A-G" would otherwise be two dropped letters) ...
HYPHENATED_TERMS: tuple[str, ...] = ("A-G",)
# ... and acronyms that mean something else before a number ("FY 2023-24" is a fiscal year).
NOT_ACRONYM_BEFORE_NUMBER: frozenset[str] = frozenset({"FY", "SY"})
