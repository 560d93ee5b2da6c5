"""Typo correction against the index's own vocabulary: "did you mean" and the corrected word searched.

A word the index does not know (or barely knows, when a close word is far more common) is corrected
to the most common term one edit away from what was typed, else within two edits of its stem (one for
short stems), found by walking the lexicon with a Levenshtein automaton. Corrections are cached per
index generation (Snapshot.corrected).

A correction must look like a typo of the word typed, never another word that changes the meaning
("quantum lacrosse" is not "quantum across", "black" is not "block", "pension" is not "person"):
the same first letter; one edit (a letter added, dropped, or two swapped; a letter replaced only by
a key next to it on the keyboard, unless the word is long) or, for a word of ten letters or more, two
edits that are not both replacements ("transportation" is not "transformation").
"""

from __future__ import annotations

from whoosh.codec.base import Automata
from whoosh.support.levenshtein import distance

from clearinghouse.search import analysis, bitmaps, query
from clearinghouse.search.snapshot import Snapshot

MAX_CORRECTIONS = 3  # unknown words of a query that are looked up for a correction
MAX_CORRECTED_LENGTH = 24  # longer "words" are not words
MIN_CORRECTED_SHARE = 20  # a rare word is corrected to a word this many times as common


def correct(snap: Snapshot, groups: list[query.Group]) -> dict[str, str]:
    """Correct the words the index does not know (or barely knows, when a close word is far
    more common) against the index's own vocabulary; the corrected word joins the group."""
    out: dict[str, str] = {}
    rare = snap.doc_count // 2000
    attempts = 0
    for g in groups:
        if not g.correctable or attempts >= MAX_CORRECTIONS:
            continue
        df = snap.df(g.stem)
        if df > rare:
            # A known term, but written as no document writes it ("attendence" stems like "attendance").
            if not _unusual_ending(g.text.lower(), g.stem):
                continue
            key = ("written", g.text.lower(), g.stem)
            if key not in snap.corrected:
                snap.corrected[key] = _misspelled(snap, g.text.lower(), g.stem)
            if snap.corrected[key]:
                g.correction = _same_case(snap.corrected[key], g.text)
                out[g.text] = g.correction
            continue
        attempts += 1
        key = (g.text.lower(), g.stem, max(1, df * MIN_CORRECTED_SHARE))
        if key not in snap.corrected:
            if len(snap.corrected) > 2000:
                snap.corrected.clear()
            snap.corrected[key] = _best_correction(snap, *key)
        found = snap.corrected[key]
        if found is None:
            continue
        word, term = found
        g.correction = _same_case(word, g.text)
        corrected = query.with_families([query.Alt((term,), query.TYPED)])
        g.alts = (g.alts if df else []) + [a for a in corrected if a not in g.alts]
        out[g.text] = g.correction
    return out


def corrected_groups(suggestion: str, groups: list[query.Group]) -> list[query.Group]:
    """The groups of the corrected query (its synonyms and phrases too: "emergent bilingal" becomes the
    English-learner group), keeping a rare typed word that the index has beside its correction."""
    out = query.parse(suggestion)
    for old in groups:
        if old.correction and old.alts[0].terms == (old.stem,):
            for g in out:
                if old.correction.lower() in g.text.lower():
                    g.alts = g.alts + [a for a in old.alts if a not in g.alts]
                    g.correction = old.correction
                    break
    return out


def suggestion(text: str, groups: list[query.Group]) -> str:
    """The query as typed with each corrected word replaced by its correction."""
    out = []
    pos = 0
    for g in sorted((g for g in groups if g.correction), key=lambda g: g.start):
        out.append(text[pos : g.start])
        out.append(g.correction)
        pos = g.end
    out.append(text[pos:])
    return " ".join("".join(out).split())


def _same_case(word: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> list[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = [a + b[1:] for a, b in splits if b]
    out += [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    out += [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    out += [a + c + b for a, b in splits for c in _LETTERS]
    return list(dict.fromkeys(out))


def _best_correction(snap: Snapshot, word: str, stem: str, min_df: int) -> tuple[str, str] | None:
    """(corrected word, its term): the most common term of the index whose word is one edit away
    from `word`, else the most common term within two edits of `stem` (one for short stems)."""
    best = None
    spellings: dict[str, list[str]] = {}  # term -> the one-edit words that have it
    if word.isascii() and len(word) <= MAX_CORRECTED_LENGTH:
        for candidate in _edits1(word):
            if not looks_like_typo(word, candidate):
                continue
            term = analysis.classify(candidate)
            if term is None or term == stem:
                continue
            term = str(term)
            if term in spellings:
                spellings[term].append(candidate)
                continue
            spellings[term] = [candidate]
            df = snap.df(term)
            if df >= min_df and (best is None or (df, term) > best):
                best = (df, term)
    if best is None:
        if len(stem) > MAX_CORRECTED_LENGTH:
            return None
        dfa = Automata.levenshtein_dfa(stem, 2 if len(stem) >= 6 else 1, prefix=1)
        found = {}
        # The lexicon walk seeks on disk: walk the big segments, which hold 90% of the documents and
        # so nearly all of the vocabulary, not every small segment that recent commits added.
        covered = 0
        for part in sorted(snap.parts, key=lambda p: -p.view.size):
            if covered >= 0.9 * sum(p.view.size for p in snap.parts):
                break
            covered += part.view.size
            for term in Automata.find_matches(dfa, part.view.lexicon_cursor()):
                if term != stem and term.islower() and term not in found:
                    found[term] = snap.df(term)
        ranked = sorted((distance(stem, t), -df, t) for t, df in found.items() if df >= min_df)
        for _, _, term in ranked[:3]:
            surface = _surface(snap, term, word, [])
            if looks_like_typo(word, surface):
                return surface, term
        return None
    term = best[1]
    surface = _surface(snap, term, word, spellings.get(term, []))
    if not looks_like_typo(word, surface):
        close = [c for c in spellings.get(term, []) if looks_like_typo(word, c)]
        if not close:
            return None
        surface = close[0]
    return surface, term


_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR: dict[str, set[str]] = {}
for _row, _keys in enumerate(_KEYBOARD):
    for _col, _key in enumerate(_keys):
        _NEAR[_key] = {
            k for r in (_row - 1, _row, _row + 1) if 0 <= r < len(_KEYBOARD)
            for c, k in enumerate(_KEYBOARD[r]) if abs(c - _col) <= 1 and k != _key
        }
LONG_WORD = 8  # from this length a replaced letter need not be a neighbouring key
VERY_LONG_WORD = 10  # from this length two edits may be corrected


def looks_like_typo(typed: str, word: str) -> bool:
    """Whether `word` is a plausible typing mistake for `typed` (see the module's docstring)."""
    a, b = typed.lower(), word.lower()
    if a == b or a[:1] != b[:1]:
        return False
    d = _osa(a, b)
    if d == 1:
        if len(a) == len(b) and len(a) < LONG_WORD:
            diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
            return len(diff) != 1 or diff[0][1] in _NEAR.get(diff[0][0], ())
        return True
    return d == 2 and len(a) >= VERY_LONG_WORD and len(a) != len(b)


def _osa(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


SURFACE_DOCUMENTS = 5


COMMON_ENDINGS = frozenset(("", "s", "es", "ed", "d", "ing", "ings", "e", "er", "ers", "ly", "y", "ies", "ion",
                           "ions", "ation", "ations", "al", "ment", "ments", "ness", "ity", "ive", "ic"))


def _unusual_ending(word: str, stem: str) -> bool:
    """Whether a word is not its stem plus a common ending ("students" is; "attendence" is not): only
    such a word is checked against how documents write its term (reading a few documents costs)."""
    return len(word) >= 7 and (not word.startswith(stem) or word[len(stem):] not in COMMON_ENDINGS)


def _misspelled(snap: Snapshot, typed: str, term: str) -> str | None:
    """How documents write a term, when none of a few documents writes it as typed and one of their
    spellings looks like what was meant (not just another ending: "attendances" is not corrected)."""
    counts = _spellings(snap, term)
    if typed in counts:
        return None
    close = [w for w in counts if looks_like_typo(typed, w) and _osa(typed, w) == 1
             and not (w.startswith(typed) or typed.startswith(w))]
    return max(close, key=lambda w: (counts[w], w)) if close else None


def _spellings(snap: Snapshot, term: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    seen = 0
    for part in snap.parts:
        p = part.view.postings("text", term)
        for d in bitmaps.to_ids(p.bitmap & part.alive)[: SURFACE_DOCUMENTS - seen]:
            seen += 1
            for text in part.view.display(d):
                for t in analysis.tokens(text):
                    if t.term == term:
                        w = t.text.lower()
                        counts[w] = counts.get(w, 0) + 1
        if seen >= SURFACE_DOCUMENTS:
            break
    return counts


def _surface(snap: Snapshot, term: str, typed: str, candidates: list[str]) -> str:
    """How documents write a term (a stem is often no word): of the words with this term in a few
    documents, the most frequent of the candidate spellings, else the most frequent word; ties go
    to the spelling closest to what was typed."""
    counts = _spellings(snap, term)
    pool = [c for c in candidates if c in counts] or list(counts) or candidates or [term]
    return min(pool, key=lambda w: (-counts.get(w, 0), distance(w, typed), w))
