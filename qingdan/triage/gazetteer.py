"""Locate: find the division a message is about, from the national list of division names.

The gazetteer (``data/gazetteer.tsv.gz``, built by ``gazetteer_build`` from the National
Bureau of Statistics list in ``shared/data/divisions``) holds every province, city, county and
township of the country and the villages and communities of Zhejiang (33) and Shandong (37),
as ``code<TAB>name``; a parent's code is a prefix of its child's (2/4/6/9/12 digits), so no
parent column is stored. Each name is also indexed under its short forms (西湖区 → 西湖,
留下街道 → 留下, 留下村村民委员会 → 留下村): an Aho–Corasick automaton finds every mention in
one pass over the text.

A name that repeats across the country (there are dozens of 新华街道) is resolved from the
other places the text names (a city or county that is an ancestor of one candidate) and from
the channel's own unit; when nothing decides, the answer is "ambiguous" with its candidates.
"""

from __future__ import annotations

import csv
import functools
import gzip
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qingdan.triage.text import normalise

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.tsv.gz"
VILLAGE_PROVINCES = ("33", "37")
LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
_PSEUDO = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Longest first: the first suffix that matches is stripped.
_SUFFIXES = (
    "村民委员会", "居民委员会", "社区居委会", "村委会", "居委会",
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县",
    "街道办事处", "街道", "地区", "盟", "旗", "省", "市", "区", "县", "镇", "乡",
)
_VILLAGE_SUFFIXES = (("村民委员会", "村"), ("村委会", "村"), ("社区居民委员会", "社区"), ("社区居委会", "社区"),
                     ("居民委员会", "社区"), ("居委会", "社区"))


def _short_forms(name: str, level: int) -> list[tuple[str, float]]:
    """Return (alias, weight) pairs: the full name 1.0, usual short forms less."""
    forms = [(name, 1.0)]
    if level == 5:
        for suffix, replacement in _VILLAGE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                stem = name[: -len(suffix)]  # 留下村村民委员会 → 留下村, 高井村委会 → 高井村
                forms.append((stem if stem.endswith(replacement) else stem + replacement, 0.95))
                break
        return forms  # a bare two-character village name is too often an ordinary word
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append((name[: -len(suffix)], 0.6))
            break
    return forms


def _pair(line: str) -> tuple[str, str]:
    """Split a gazetteer line, ``code<TAB>name``."""
    code, name = line.split("\t", 1)
    return code, name


def _common_words(rows: list[tuple[str, str]], corpus: Iterable[str], *, min_texts: int = 3) -> set[str]:
    """Short city and county names (合作 of 合作市, 资源 of 资源县) that the corpus uses as ordinary words.

    The shared messages name their own places anonymised (A市, A1区), so a short form of a real
    city or county that recurs in them is a word, not a place.
    """
    import ahocorasick  # noqa: PLC0415 (the automaton library loads only when the gazetteer is built)

    shorts = {alias for code, name in rows if len(code) in (4, 6)
              for alias, weight in _short_forms(name, LEVEL_BY_LENGTH[len(code)]) if weight < 1.0}
    automaton = ahocorasick.Automaton()
    for alias in shorts:
        automaton.add_word(alias, alias)
    automaton.make_automaton()
    seen: dict[str, int] = defaultdict(int)
    for text in corpus:
        for alias in {alias for _, alias in automaton.iter(text)}:
            seen[alias] += 1
    return {alias for alias, count in seen.items() if count >= min_texts}


def gazetteer_build(*, divisions: Path, output: Path = GAZETTEER, corpus: Iterable[str] = ()) -> int:
    """Write the compact gazetteer from the divisions folder; return the number of names.

    ``corpus`` (message texts) marks short city and county names used as ordinary words: they
    are written as ``!alias`` lines and only count with context (see ``_common_words``).
    """
    lines: list[str] = []
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        with (divisions / name).open(encoding="utf-8", newline="") as fh:
            lines.extend(f"{r['code']}\t{r['name']}" for r in csv.DictReader(fh) if r["name"] not in _PSEUDO)
    with gzip.open(divisions / "villages.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        lines.extend(f"{r['code']}\t{r['name']}" for r in csv.DictReader(fh)
                     if r["code"][:2] in VILLAGE_PROVINCES)
    rows = [_pair(line) for line in lines]
    lines.extend(f"!{alias}" for alias in sorted(_common_words(rows, corpus)))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    return len(lines)


@dataclass(frozen=True)
class Candidate:
    """A division a mention may mean."""

    code: str
    name: str

    @property
    def level(self) -> int:
        """1 province … 5 village, from the length of the code."""
        return LEVEL_BY_LENGTH.get(len(self.code), 5)


@dataclass(frozen=True)
class Location:
    """Where a message is: a division code and name (or nothing), confidence, and ambiguity."""

    code: str = ""
    name: str = ""
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    mentions: tuple[str, ...] = field(default=())

    @property
    def ambiguous(self) -> bool:
        """True when the text names a place that several divisions bear and nothing decides."""
        return not self.code and len(self.candidates) > 1


def _ancestors(code: str) -> list[str]:
    return [code[:n] for n in (2, 4, 6, 9) if n < len(code)]


UNSUPPORTED_TOWNSHIP_CONFIDENCE = 0.6


class Gazetteer:
    """The names of the divisions, searchable in one pass over a text."""

    def __init__(self, rows: Iterable[tuple[str, str]], *, common_words: Iterable[str] = ()) -> None:
        import ahocorasick  # noqa: PLC0415 (the automaton library loads only when the gazetteer is built)

        self.common_words = set(common_words)
        self.names: dict[str, str] = {}
        aliases: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, name in rows:
            self.names[code] = name
            for alias, weight in _short_forms(name, LEVEL_BY_LENGTH.get(len(code), 5)):
                aliases[alias].append((code, weight))
        self.automaton = ahocorasick.Automaton()
        for alias, entries in aliases.items():
            self.automaton.add_word(alias, (alias, tuple(entries)))
        self.automaton.make_automaton()

    @classmethod
    def from_file(cls, path: Path = GAZETTEER) -> Gazetteer:
        """Load the shipped gazetteer."""
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
        return cls((_pair(line) for line in lines if "\t" in line),
                   common_words=[line[1:] for line in lines if line.startswith("!")])

    def mentions(self, text: str) -> list[tuple[int, str, tuple[tuple[str, float], ...]]]:
        """Return the longest non-overlapping mentions as (start, alias, ((code, weight), …))."""
        found = [(end - len(alias) + 1, end, alias, entries) for end, (alias, entries) in self.automaton.iter(text)]
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        chosen, last_end = [], -1
        for start, end, alias, entries in found:
            if start > last_end:
                chosen.append((start, alias, entries))
                last_end = end
            elif chosen and start == chosen[-1][0] and end > last_end:  # same start, longer: keep longer
                chosen[-1] = (start, alias, entries)
                last_end = end
        return chosen

    def locate(self, text: str, *, context_code: str = "") -> Location:
        """Resolve the most specific place the text names; ``context_code`` is the channel's unit."""
        text = normalise(text, limit=100_000)
        found = self.mentions(text)
        if not found:
            return Location()
        # Which mentions name each code: a mention supports another place only if it is a
        # different span (比如 must not back 比如镇 by also naming 比如县).
        mentioned: dict[str, set[int]] = defaultdict(set)
        for start, _, entries in found:
            for code, _weight in entries:
                mentioned[code].add(start)

        def supporters(code: str, start: int) -> int:
            return sum(1 for a in _ancestors(code) if mentioned.get(a, set()) - {start})

        best: tuple[float, str, int] | None = None
        ambiguous: list[Candidate] = []
        for start, _alias, entries in found:
            scored = []
            for code, weight in entries:
                support = supporters(code, start)
                in_context = bool(context_code) and (code.startswith(context_code) or context_code.startswith(code))
                if weight < 1.0 and (len(code) > 6 or _alias in self.common_words) and not (support or in_context):
                    continue  # a bare township name (下水 of 下水乡) is an ordinary word unless context backs it
                score = weight * (1 + 0.15 * LEVEL_BY_LENGTH.get(len(code), 5)) * (1 + support + 2 * in_context)
                scored.append((score, code, support or in_context))
            if not scored:
                continue
            scored.sort(reverse=True)
            top_score, top_code, decided = scored[0]
            if len(scored) > 1 and not decided and scored[1][0] >= top_score * 0.9:
                ambiguous = [Candidate(c, self.names[c]) for _, c, _ in scored[:10]]
                continue
            if len(entries) > 1:
                top_score *= 0.8
            if best is None or top_score > best[0]:
                best = (top_score, top_code, start)
        if best is None:
            return Location(candidates=tuple(ambiguous), mentions=tuple(a for _, a, _ in found))
        code = best[1]
        supported = supporters(code, best[2])
        in_context = bool(context_code) and (code.startswith(context_code) or context_code.startswith(code))
        confidence = min(1.0, 0.5 + 0.1 * LEVEL_BY_LENGTH.get(len(code), 5) + 0.1 * supported)
        if len(code) > 6 and not (supported or in_context):
            # A township's full name with nothing around it (于城镇 inside 属于城镇规划) is
            # as often a run of ordinary characters as a place: say so in the confidence.
            confidence = min(confidence, UNSUPPORTED_TOWNSHIP_CONFIDENCE)
        return Location(code=code, name=self.full_name(code), confidence=round(confidence, 2),
                        mentions=tuple(a for _, a, _ in found))

    def full_name(self, code: str) -> str:
        """The name with its ancestors (浙江省杭州市西湖区留下街道)."""
        return "".join(self.names[c] for c in [*_ancestors(code), code] if c in self.names)


@functools.lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """Return the shipped gazetteer, loaded once per process."""
    return Gazetteer.from_file()
