"""The inspection rules as data: one TOML file per contract type (`contracts/rules/*.toml`).

    rules = load_rules()                 # or load_rules(Path("/etc/bankmind/contract-rules"))
    rules["loan"].clauses[0].name        # "借款种类"
    contract_type("流动资金借款合同", rules)   # "loan"

Each file names the contract type, the titles that identify it, the fields that must not be left
blank, the required clauses (a name, its legal basis, a severity and regular expressions of which
one must match) and the rate ceiling (a multiple of the one-year LPR). A bank changes what is
required by editing these files, without code; a file that does not hold together is refused with
the file and the key at fault.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast, get_args

from bankmind.contracts.types import ContractType, Severity
from bankmind.errors import InputError

__all__ = ["RULES_DIR", "Clause", "Rules", "contract_type", "load_rules"]

RULES_DIR = Path(__file__).parent / "rules"
_TYPES = frozenset(get_args(ContractType))
_SEVERITIES = frozenset(get_args(Severity))


@dataclass(frozen=True)
class Clause:
    name: str
    basis: str
    severity: Severity
    patterns: tuple[re.Pattern[str], ...]

    def found_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class Rules:
    contract_type: ContractType
    titles: tuple[str, ...]
    required_fields: tuple[str, ...]
    clauses: tuple[Clause, ...]
    lpr: Decimal
    lpr_multiple: Decimal

    @property
    def rate_ceiling(self) -> Decimal:
        """The highest legal annual contract rate, in percent."""
        return self.lpr * self.lpr_multiple


def load_rules(folder: Path | None = None) -> dict[ContractType, Rules]:
    """Every `*.toml` in `folder` (default: the rules shipped with bankmind), by contract type."""
    folder = folder or RULES_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise InputError(f"no contract rules (*.toml) in '{folder}'; copy the shipped ones from {RULES_DIR}")
    loaded: dict[ContractType, Rules] = {}
    for path in files:
        rules = _parse(path)
        if rules.contract_type in loaded:
            raise InputError(f"{path.name}: contract_type '{rules.contract_type}' is defined by two files")
        loaded[rules.contract_type] = rules
    return loaded


def contract_type(title: str, rules: dict[ContractType, Rules]) -> ContractType:
    """The type whose longest matching title is in `title` (最高额保证合同 before 保证合同), else other."""
    best: tuple[int, ContractType] = (0, "other")
    for kind, r in rules.items():
        for t in r.titles:
            if t in title and len(t) > best[0]:
                best = (len(t), kind)
    return best[1]


def _parse(path: Path) -> Rules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from exc
    kind = data.get("contract_type")
    if kind not in _TYPES:
        raise InputError(f"{path.name}: contract_type must be one of {', '.join(sorted(_TYPES))}")
    rates = data.get("rates", {})
    try:
        lpr, multiple = Decimal(str(rates.get("lpr", "3.00"))), Decimal(str(rates.get("lpr_multiple", 4)))
    except InvalidOperation as exc:
        raise InputError(f"{path.name}: [rates] lpr and lpr_multiple must be numbers") from exc
    return Rules(
        contract_type=cast(ContractType, kind),
        titles=tuple(_strings(path, data, "titles")),
        required_fields=tuple(_strings(path, data, "required_fields")),
        clauses=tuple(_clause(path, i, c) for i, c in enumerate(data.get("clauses", []), start=1)),
        lpr=lpr,
        lpr_multiple=multiple,
    )


def _strings(path: Path, data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{path.name}: {key} must be a list of non-empty strings")
    return value


def _clause(path: Path, number: int, data: dict[str, Any]) -> Clause:
    where = f"{path.name}: clause {number}"
    name, severity = data.get("name"), data.get("severity", "high")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where} needs a name")
    if severity not in _SEVERITIES:
        raise InputError(f"{where} ({name}): severity must be high, medium or low")
    patterns = _strings(path, data, "patterns")
    if not patterns:
        raise InputError(f"{where} ({name}) needs at least one pattern")
    try:
        compiled = tuple(re.compile(p) for p in patterns)
    except re.error as exc:
        raise InputError(
            f"{where} ({name}): pattern {exc.pattern!r} is not a regular expression: {exc}"
        ) from exc
    return Clause(name, str(data.get("basis", "")), cast(Severity, severity), compiled)
