"""Data the recognizers share, loaded once per process and never changed afterwards.

- Region codes and place names: python-stdnum's table of PRC administrative divisions
  (`stdnum/cn/loc.dat`, every code that ever existed, with its name).
- Bank-card BINs: `guard/data/bank_card_bins.txt`, plus files named in settings.
- Surnames and context words: `guard/data/surnames.txt`, `guard/data/context.toml`.
- The person-name lexicon: jieba's bundled dictionary (`jieba/dict.txt`), read as data — words
  tagged `nr` (person names) and the frequencies of ordinary words. jieba itself is not imported,
  so nothing is segmented, cached or logged at run time.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path

from bankmind.errors import ConfigError

DATA = Path(__file__).resolve().parent.parent / "data"

# HK, Macau and Taiwan residents' residence permits use these "region" codes (GB 11643 holders).
_EXTRA_REGIONS = ("810000", "820000", "830000", "710000")
_GENERIC_PLACES = {
    "市辖区",
    "县",
    "市区",
    "郊区",
    "城区",
    "矿区",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
}
PROVINCE_SHORT = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南",
    "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
)  # fmt: skip


@dataclass(frozen=True)
class Places:
    """PRC administrative divisions: the 6-digit codes and the names a text may use."""

    codes: frozenset[str]
    names: frozenset[str]  # full names: 广东省, 深圳市, 南山区, 德安县, 浦东新区 ...
    short: frozenset[str]  # forms without the suffix, only valid before another name: 广东, 深圳
    max_len: int


@dataclass(frozen=True)
class Surnames:
    common: frozenset[str]
    cue_only: frozenset[str]
    compound: frozenset[str]

    @property
    def single(self) -> frozenset[str]:
        return self.common | self.cue_only


@dataclass(frozen=True)
class PersonLexicon:
    """From jieba's dictionary: known full names, ordinary words with their frequency, name characters."""

    names: frozenset[str]  # three-character nr entries: surname + given name
    words: dict[str, int]
    predicates: frozenset[str]  # words tagged verb, adjective or adverb: never a name (解散, 迟延)
    given_chars: frozenset[str]


@lru_cache(maxsize=1)
def load_places() -> Places:
    text = (files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8")
    codes: set[str] = set(_EXTRA_REGIONS)
    names: set[str] = set()
    short: set[str] = set(PROVINCE_SHORT)
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, rest = line.strip().partition(" ")
        value = rest.split('"')[1] if '"' in rest else ""
        if not line.startswith(" "):
            province = head
            codes.add(province + "0000")
            names.add(value)
            continue
        code = province + head
        codes.update((code, code[:4] + "00", code[:4] + "01"))
        for raw in value.split(","):
            name = re.sub(r"^\[[^\]]*\]", "", raw)
            if len(name) < 2 or name in _GENERIC_PLACES or "直辖" in name:
                continue
            names.add(name)
            if head.endswith("00") and name.endswith("市") and len(name) >= 3:
                short.add(name[:-1])
    return Places(frozenset(codes), frozenset(names), frozenset(short), max(len(n) for n in names))


@lru_cache(maxsize=1)
def current_divisions() -> dict[str, str]:
    """Code -> name of the divisions that exist today (no end year in stdnum's table)."""
    text = (files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8")
    current: dict[str, str] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, rest = line.strip().partition(" ")
        value = rest.split('"')[1] if '"' in rest else ""
        if not line.startswith(" "):
            province = head
            current[province + "0000"] = value
            continue
        for raw in value.split(","):
            years = re.match(r"^\[(\d*)-(\d*)\]", raw)
            if years is None or not years.group(2):
                current[province + head] = re.sub(r"^\[[^\]]*\]", "", raw)
    return current


def _sections(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line:
            current.extend(line.split())
    return sections


@lru_cache(maxsize=1)
def load_surnames() -> Surnames:
    sections = _sections(DATA / "surnames.txt")
    return Surnames(
        frozenset(sections["common"]), frozenset(sections["cue_only"]), frozenset(sections["compound"])
    )


@lru_cache(maxsize=1)
def load_context() -> dict[str, dict[str, tuple[str, ...]]]:
    raw = tomllib.loads((DATA / "context.toml").read_text(encoding="utf-8"))
    return {entity: {key: tuple(words) for key, words in table.items()} for entity, table in raw.items()}


def _jieba_dictionary() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ConfigError("the PERSON recognizer needs jieba's dictionary; install jieba (pip install jieba)")
    return Path(spec.origin).parent / "dict.txt"


_ENTRY = re.compile(r"^([\u4e00-\u9fff]{2,4}) (\d+) (\w+)$", re.MULTILINE)
# Characters that end or glue words, never part of a given name in running text.
NAME_STOP_CHARS = frozenset(
    "的了是在和与及或等被把对从向到为以于将已其之这那个们你我他她它不也就都而且但如若因所元年月日号"
    "行卡款额费率户账表单据市区县省路街镇村地得着过吗呢吧啊部处室局司厂所院系组队上下内外里后前第人"
)


_NAME_MAX_FREQ = 500  # jieba tags many everyday two-character words nr; above this they are words


@lru_cache(maxsize=1)
def load_person_lexicon() -> PersonLexicon:
    surnames = load_surnames()
    single, compound = surnames.single, surnames.compound
    names: set[str] = set()
    words: dict[str, int] = {}
    predicates: set[str] = set()
    given: Counter[str] = Counter()
    text = _jieba_dictionary().read_text(encoding="utf-8")
    for word, freq, tag in _ENTRY.findall(text):
        count = int(freq)
        if tag.startswith("nr") and (len(word) > 2 or count <= _NAME_MAX_FREQ):
            rest = word[2:] if word[:2] in compound else word[1:] if word[0] in single else None
            if rest and len(rest) <= 2:
                given.update(rest)
                if len(word) == 3:
                    names.add(word)  # 韦小宝, 诸葛亮; jieba's two-character "names" are mostly words (祝福)
            continue
        if count >= 20:  # ordinary words, and frequent two-character "names" (谢谢, 明白, 文明, 阳光)
            words[word] = count
            if tag[0] in "vad":
                predicates.add(word)
    given_chars = frozenset(ch for ch, n in given.items() if n >= 2 and ch not in NAME_STOP_CHARS)
    return PersonLexicon(frozenset(names), words, frozenset(predicates), given_chars)


def read_bins(path: Path) -> dict[str, str]:
    """BIN prefix -> bank from a text file (`PREFIX BANK` lines) or JSON (`[{"bin", "bank"}]` or a dict)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"bank-card BIN file '{path}' cannot be read ({exc.strerror}); check the path"
        ) from None
    bins: dict[str, str] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except ValueError:
            raise ConfigError(f"bank-card BIN file '{path}' is not valid JSON") from None
        rows = data.items() if isinstance(data, dict) else ((r.get("bin"), r.get("bank", "")) for r in data)
        for prefix, bank in rows:
            if isinstance(prefix, str) and prefix.isdigit():
                bins[prefix] = str(bank or "").split("|")[0]
    else:
        for line in raw.splitlines():
            parts = line.split("#", 1)[0].split(None, 1)
            if parts and parts[0].isdigit():
                bins[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    if not bins:
        raise ConfigError(f"bank-card BIN file '{path}' holds no BIN prefixes; one 'PREFIX BANK' a line")
    return bins


@lru_cache(maxsize=8)
def load_bins(extra: tuple[Path, ...] = ()) -> dict[str, str]:
    bins = read_bins(DATA / "bank_card_bins.txt")
    for path in extra:
        bins.update(read_bins(path))
    return bins


class Resources:
    """What recognizers look things up in; each part is loaded on first use and cached per process."""

    def __init__(self, bin_files: Sequence[Path] = ()) -> None:
        self.bin_files = tuple(Path(p) for p in bin_files)

    @cached_property
    def places(self) -> Places:
        return load_places()

    @cached_property
    def surnames(self) -> Surnames:
        return load_surnames()

    @cached_property
    def person_lexicon(self) -> PersonLexicon:
        return load_person_lexicon()

    @cached_property
    def bins(self) -> dict[str, str]:
        return load_bins(self.bin_files)

    @cached_property
    def bin_lengths(self) -> tuple[int, ...]:
        return tuple(sorted({len(b) for b in self.bins}, reverse=True))

    def bank_of(self, digits: str) -> str | None:
        """The issuing bank of a card number when its BIN is known, else None."""
        for length in self.bin_lengths:
            bank = self.bins.get(digits[:length])
            if bank is not None:
                return bank
        return None

    def context(self, entity: str) -> dict[str, tuple[str, ...]]:
        return load_context().get(entity, {})
