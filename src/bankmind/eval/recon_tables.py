"""Generated 估值表 pairs (manager vs custodian) with known breaks, for tests, `bankmind eval recon`
and the bench.

Real valuation tables cannot leave a bank, so the measurement runs on tables built here from a seed:
a fund with a real subject hierarchy (1002 银行存款 … 1102 股票投资 with 成本 `01` and 估值增值 `99`
branches, 1103 债券投资 with 1204 应收利息, 2206/2207/2203 fees, 4001 实收资本, the footer), written
in several custodian layouts (`recon_layouts`: xlsx, xls, csv in UTF-8-BOM and GBK, one sheet or a
cover sheet first, numbers as numbers or as text). The manager's table is the
custodian's with breaks injected; each break and its knock-on effects (parents, NAV, unit NAV) are
recomputed, and the truth records the root breaks plus the derived `nav` / `unit_nav` differences.

Internal rules (hold in every generated table, so a parser can check them):
  * a position leaf (`1102mm01<code>`): market_value = round(quantity × price, 2),
    appreciation = market_value − cost; its twin `1102mm99<code>` carries the appreciation as amount;
  * a parent = Σ its children (a market parent `1102mm` sums its `01` branch; the `99` branch is the
    appreciation memo and sums to the `01` branch's appreciation);
  * NAV = 资产类合计 − 负债类合计; 单位净值 = round(NAV / 实收资本, 4); % of NAV = value / NAV × 100.
Money is kept in integer cents so sums are exact.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from bankmind.eval.recon_layouts import LAYOUTS, Layout, table_grid, table_sheets, write_table
from bankmind.recon.severity import Severity, severity

__all__ = [
    "BREAK_KINDS",
    "LAYOUTS",
    "Break",
    "Fund",
    "Layout",
    "PairTruth",
    "Row",
    "generate_fund",
    "generate_pair",
    "inject_breaks",
    "make_pair",
    "table_grid",
    "table_sheets",
    "write_table",
]

BREAK_KINDS = (
    "missing_in_manager",
    "missing_in_custodian",
    "quantity",
    "bonus_shares",
    "price",
    "suspended",
    "cost",
    "market_value",
    "appreciation",
    "accrual",
    "fee",
    "unit_nav",
)
"""Breaks `inject_breaks` can inject. bonus_shares is reported as kind `quantity` (cause
corporate_action), suspended as kind `price`; `nav` is never injected alone, it is the knock-on of
every break that moves NAV and appears in the truth with `root=False`."""


@dataclass
class Row:
    """One subject line. Money in cents; quantity in shares/units; None is a blank cell."""

    code: str
    name: str
    quantity: float | None = None
    unit_cost: float | None = None
    cost: int | None = None
    price: float | None = None
    market_value: int | None = None
    appreciation: int | None = None
    status: str | None = None

    @property
    def level(self) -> int:
        """1 for 4-digit codes, 2 for 6, 3 for 8, 4 for a security leaf."""
        return {4: 1, 6: 2, 8: 3}.get(len(self.code), 4)


@dataclass
class Fund:
    """A valuation table's content: title block, subject rows (hierarchy order) and footer figures."""

    product: str
    manager: str
    custodian: str
    valuation_date: date
    rows: list[Row]
    units: int
    """实收资本 in cents (units at par 1.00), so NAV / units is the unit NAV."""
    accumulated_dividend: float = 0.0
    mgmt_fee_daily: int = 0
    face_interest_daily: dict[str, int] = field(default_factory=dict)
    total_assets: int = 0
    total_liabilities: int = 0
    nav: int = 0

    @property
    def unit_nav(self) -> float:
        """单位净值 to 4 decimals, as published."""
        return round(self.nav / self.units, 4)

    @property
    def cumulative_unit_nav(self) -> float:
        """累计单位净值 = unit NAV + dividends paid per unit since inception."""
        return round(self.unit_nav + self.accumulated_dividend, 4)

    def row(self, code: str) -> Row:
        """The row with this subject code (KeyError when absent)."""
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(code)


@dataclass(frozen=True)
class Break:
    """One difference the manager's table has against the custodian's (values as written: yuan)."""

    subject_code: str | None
    kind: str
    field: str | None
    manager: float | None
    custodian: float | None
    cause: str | None = None
    root: bool = True


@dataclass(frozen=True)
class PairTruth:
    """What a correct reconciliation of the pair must find."""

    seed: int
    breaks: tuple[Break, ...]
    manager_unit_nav: float
    custodian_unit_nav: float
    manager_nav: float
    custodian_nav: float
    severity: Severity


# -- the fund ---------------------------------------------------------------------------------------

_MANAGERS = (
    "华夏基金管理有限公司",
    "易方达基金管理有限公司",
    "南方基金管理股份有限公司",
    "嘉实基金管理有限公司",
    "广发基金管理有限公司",
    "上海和谐汇一资产管理有限公司",
    "富国基金管理有限公司",
)
_CUSTODIANS = (
    "中国工商银行股份有限公司",
    "招商银行股份有限公司",
    "兴业银行股份有限公司",
    "中信证券股份有限公司",
    "国泰君安证券股份有限公司",
    "宁波银行股份有限公司",
)
_PRODUCT_HEADS = ("华盈", "恒远", "睿信", "鼎泰")
_PRODUCT_WORDS = ("稳健", "成长", "价值", "精选", "优势", "量化", "红利", "恒利", "鑫享", "睿远")
_NAME_HEADS = ("华", "中", "海", "东", "新", "金", "天", "国", "长", "恒", "万", "赛", "杰", "宁", "光")
_NAME_TAILS = ("科技", "电子", "医药", "化学", "能源", "材料", "股份", "控股", "传媒", "轮胎", "汽车", "生物")
# (market code, name, code generator, exchange suffix)
_STOCK_MARKETS = (
    ("01", "上交所A股", "60", "SH"),
    ("31", "深交所A股", "00", "SZ"),
    ("81", "港股通", "H0", "HK"),
)
_BOND_MARKETS = (("11", "上交所国债", "019", "SH"), ("31", "深交所企业债", "112", "SZ"))
MGMT_FEE_RATE = 0.012


def _cents(yuan: float) -> int:
    return round(yuan * 100)


def generate_fund(seed: int, *, stocks: int = 100, bonds: int = 20) -> Fund:
    """A consistent fund of ~300 rows (with the defaults), the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    rows: list[Row] = [Row("1002", "银行存款"), Row("100201", "活期存款")]
    rows.append(Row("10020101", "活期存款", cost=_cents(rng.uniform(2e5, 5e7))))
    rows += [
        Row("100206", "应计利息"),
        Row("10020601", "应计活期存款利息", cost=_cents(rng.uniform(100, 5e4))),
    ]
    rows += [Row("1021", "清算备付金"), Row("102101", "上交所清算备付金", cost=_cents(rng.uniform(1e4, 5e6)))]
    rows += [Row("1031", "存出保证金"), Row("103101", "上交所交易保证金", cost=_cents(rng.uniform(1e4, 1e6)))]
    used: set[str] = set()
    rows.append(Row("1102", "股票投资"))
    per_market = _split(stocks, len(_STOCK_MARKETS), rng)
    for (mcode, mname, prefix, _), n in zip(_STOCK_MARKETS, per_market, strict=True):
        base = f"1102{mcode}"
        rows += [Row(base, mname), Row(base + "01", mname + "成本")]
        secs = [_security(rng, prefix, used) for _ in range(n)]
        for code, name in secs:
            rows.append(_stock_leaf(rng, base + "01" + code, name))
        rows.append(Row(base + "99", mname + "估值增值"))
        rows += [Row(base + "99" + code, name) for code, name in secs]
    rows.append(Row("1103", "债券投资"))
    interest_rows: list[Row] = []
    daily: dict[str, int] = {}
    for (mcode, mname, prefix, _), n in zip(_BOND_MARKETS, _split(bonds, 2, rng), strict=True):
        base = f"1103{mcode}"
        rows += [Row(base, mname), Row(base + "01", mname + "成本")]
        secs = [
            (
                f"{prefix}{rng.randrange(100, 999)}",
                f"{rng.choice(('21', '22', '23', '24'))}国债{rng.randrange(1, 30):02d}",
            )
            for _ in range(n)
        ]
        secs = list(dict(secs).items())
        for code, name in secs:
            qty = rng.randrange(1, 50) * 1000
            price = round(rng.uniform(97, 104), 4)
            cost = _cents(qty * round(rng.uniform(97, 103), 4))
            rows.append(
                Row(
                    base + "01" + code,
                    name,
                    qty,
                    round(cost / 100 / qty, 4),
                    cost,
                    price,
                    _cents(qty * price),
                    status="正常交易",
                )
            )
            day = round(qty * 100 * rng.uniform(0.02, 0.04) / 365 * 100)  # cents a day on face value 100
            daily[f"1204{mcode}01{code}"] = day
            interest_rows.append(Row(f"1204{mcode}01{code}", name, cost=day * rng.randrange(1, 180)))
        rows.append(Row(base + "99", mname + "估值增值"))
        rows += [Row(base + "99" + code, name) for code, name in secs]
    rows.append(Row("1204", "应收利息"))
    for mcode, mname, _, _ in _BOND_MARKETS:
        mine = [r for r in interest_rows if r.code.startswith(f"1204{mcode}")]
        rows += [Row(f"1204{mcode}", mname + "利息"), Row(f"1204{mcode}01", mname + "应收利息"), *mine]
    head, word, _ = rng.choice(_PRODUCT_HEADS), rng.choice(_PRODUCT_WORDS), rng.randrange(1, 9)
    fund = Fund(
        # the seed in the name: two funds of one batch never share a product name and day
        product=f"{head}{word}{seed % 1_000_000}号基金",
        manager=rng.choice(_MANAGERS),
        custodian=rng.choice(_CUSTODIANS),
        valuation_date=date(2025, 1, 2) + timedelta(days=rng.randrange(0, 360)),
        rows=rows,
        units=1,
        accumulated_dividend=round(rng.choice((0.0, 0.0, rng.uniform(0.01, 0.3))), 4),
        face_interest_daily=daily,
    )
    _recompute(fund)
    assets = fund.total_assets
    fund.mgmt_fee_daily = round(assets * MGMT_FEE_RATE / 365)
    days = rng.randrange(1, 31)
    fund.rows += [
        Row("2203", "应付销售服务费"),
        Row("220301", "应付销售服务费", cost=round(assets * 0.002 / 365) * days),
        Row("2206", "应付管理人报酬"),
        Row("220601", "应付管理费", cost=fund.mgmt_fee_daily * days),
        Row("2207", "应付托管费"),
        Row("220701", "应付托管费", cost=round(assets * 0.002 / 365) * days),
        Row("2221", "应交税费"),
        Row("222101", "应交增值税", cost=_cents(rng.uniform(0, 5e4))),
    ]
    _recompute(fund)
    fund.units = max(100, round(fund.nav / rng.uniform(0.75, 1.6)))
    fund.rows.append(
        Row("4001", "实收资本", quantity=fund.units / 100, cost=fund.units, market_value=fund.units)
    )
    _recompute(fund)
    return fund


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(1, 3) for _ in range(parts)]
    counts = [max(1, int(total * w / sum(weights))) for w in weights]
    counts[0] += total - sum(counts)
    return counts


def _security(rng: random.Random, prefix: str, used: set[str]) -> tuple[str, str]:
    while True:
        code = f"{prefix}{rng.randrange(0, 10_000):04d}"
        if code not in used:
            used.add(code)
            return code, rng.choice(_NAME_HEADS) + rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)


def _stock_leaf(rng: random.Random, code: str, name: str) -> Row:
    qty = float(rng.randrange(1, 2000) * 100)
    unit_cost = round(rng.uniform(3, 150), 2)
    price = round(unit_cost * rng.uniform(0.6, 1.5), 2)
    cost = _cents(qty * unit_cost * rng.uniform(0.999, 1.001))
    return Row(
        code, name, qty, round(cost / 100 / qty, 2), cost, price, _cents(qty * price), status="正常交易"
    )


def _is_position(row: Row) -> bool:
    return row.code[:4] in ("1102", "1103") and len(row.code) > 8 and row.code[6:8] == "01"


def _recompute(fund: Fund) -> None:
    """Roll leaves up into parents, the 99 memo rows, totals and NAV (the knock-on of any change)."""
    by_code = {r.code: r for r in fund.rows}
    children: dict[str, list[Row]] = {}
    for r in fund.rows:
        parent = _parent(r.code, by_code)
        if parent is not None:
            children.setdefault(parent, []).append(r)
    for r in fund.rows:
        if _is_position(r) and r.quantity is not None and r.price is not None:
            if r.market_value is None:
                r.market_value = _cents(r.quantity * r.price)
            r.appreciation = r.market_value - (r.cost or 0)
            twin = by_code.get(r.code[:6] + "99" + r.code[8:])
            if twin is not None:
                twin.cost = twin.market_value = r.appreciation
        elif r.code not in children and r.code[0] in "12" and r.price is None:
            r.market_value = r.cost  # cash, receivables, payables: market value is the book amount
    for r in sorted(fund.rows, key=lambda x: -len(x.code)):
        kids = children.get(r.code)
        if not kids:
            continue
        memo = r.code + "99"
        if any(k.code == memo for k in kids):
            kids = [k for k in kids if k.code != memo]
        r.cost = sum(k.cost or 0 for k in kids)
        r.market_value = sum(k.market_value or 0 for k in kids)
        quantities = [k.quantity for k in kids if k.quantity is not None]
        r.quantity = float(sum(quantities)) if quantities else None
        apps = [k.appreciation for k in kids if k.appreciation is not None]
        r.appreciation = sum(apps) if apps else None
        if len(r.code) == 8 and r.code[6:8] == "99":
            r.quantity = r.appreciation = None
    fund.total_assets = sum(r.market_value or 0 for r in fund.rows if len(r.code) == 4 and r.code[0] == "1")
    fund.total_liabilities = sum(
        r.market_value or 0 for r in fund.rows if len(r.code) == 4 and r.code[0] == "2"
    )
    fund.nav = fund.total_assets - fund.total_liabilities


def _parent(code: str, by_code: dict[str, Row]) -> str | None:
    """The longest proper prefix of a code that is itself a subject."""
    for n in (8, 6, 4):
        if n < len(code) and code[:n] in by_code:
            return code[:n]
    return None


# -- breaks -----------------------------------------------------------------------------------------


def _yuan(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def inject_breaks(custodian: Fund, kinds: Iterable[str], seed: int) -> tuple[Fund, list[Break]]:
    """The manager's table: a copy of the custodian's with `kinds` injected on distinct rows."""
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible test data
    manager = replace(custodian, rows=[replace(r) for r in custodian.rows])
    truth: list[Break] = []
    taken: set[str] = set()

    def pick(prefix: str = "1102") -> Row:
        candidates = [
            r for r in manager.rows if _is_position(r) and r.code.startswith(prefix) and r.code not in taken
        ]
        row = rng.choice(candidates)
        taken.add(row.code)
        return row

    for kind in kinds:
        if kind == "missing_in_manager":
            row = pick()
            twin_code = row.code[:6] + "99" + row.code[8:]
            manager.rows = [r for r in manager.rows if r.code not in (row.code, twin_code)]
            truth.append(Break(row.code, kind, None, None, _yuan(row.market_value)))
        elif kind == "missing_in_custodian":
            at = manager.rows.index(pick())
            code = f"{manager.rows[at].code[:8]}{rng.choice(('60', '00'))}{rng.randrange(10_000):04d}"
            while any(r.code == code for r in manager.rows):
                code = code[:-1] + str((int(code[-1]) + 1) % 10)
            extra = _stock_leaf(rng, code, rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS))
            manager.rows.insert(at + 1, extra)
            memo_at = next(i for i, r in enumerate(manager.rows) if r.code == code[:6] + "99")
            manager.rows.insert(memo_at + 1, Row(code[:6] + "99" + code[8:], extra.name))
            truth.append(Break(code, kind, None, _yuan(extra.market_value), None))
        elif kind in ("quantity", "bonus_shares"):
            row = pick()
            cust_qty = row.quantity or 0.0
            if kind == "bonus_shares":  # 10送3 booked by the custodian, not yet by the manager
                ratio = rng.choice((0.2, 0.3, 0.5))
                row.quantity = float(round(cust_qty / (1 + ratio) / 100) * 100)
                cause = f"corporate_action:{ratio}"
            else:
                row.quantity = cust_qty + rng.choice((-1, 1)) * rng.randrange(1, 50) * 100
                cause = None
            row.market_value = None
            truth.append(Break(row.code, "quantity", "quantity", row.quantity, cust_qty, cause))
        elif kind in ("price", "suspended"):
            row = pick()
            cust_price = row.price or 0.0
            if (
                kind == "suspended"
            ):  # custodian values the suspended stock by index method, manager at last close
                custodian.row(row.code).status = row.status = "停牌"
                row.price = round(cust_price / rng.uniform(0.85, 0.97), 2)
                cause = "suspended"
            else:  # manager used the previous day's close
                row.price = round(cust_price * (1 + rng.choice((-1, 1)) * rng.uniform(0.01, 0.1)), 2)
                cause = "price_date"
            row.market_value = None
            truth.append(Break(row.code, "price", "price", row.price, cust_price, cause))
        elif kind == "cost":
            row = pick()
            before = row.cost or 0
            row.cost = before + rng.choice((-1, 1)) * rng.randrange(100, 500_000)
            row.unit_cost = round(row.cost / 100 / (row.quantity or 1), 2)
            truth.append(Break(row.code, kind, "cost", _yuan(row.cost), _yuan(before)))
        elif kind == "market_value":
            row = pick()
            before = row.market_value or 0
            row.market_value = before + rng.choice((-1, 1)) * rng.randrange(1, 200_000)
            truth.append(Break(row.code, kind, "market_value", _yuan(row.market_value), _yuan(before)))
        elif kind == "appreciation":  # the 估值增值 memo booked with a stale amount
            row = pick()
            twin = manager.row(row.code[:6] + "99" + row.code[8:])
            before = twin.market_value or 0
            taken.add(twin.code)
            truth.append(Break(twin.code, kind, "market_value", None, _yuan(before)))
        elif kind == "accrual":
            code = rng.choice([c for c in custodian.face_interest_daily if c not in taken])
            taken.add(code)
            row = manager.row(code)
            before = row.cost or 0
            row.cost = row.market_value = before + rng.choice((-1, 1)) * custodian.face_interest_daily[code]
            truth.append(Break(code, kind, "market_value", _yuan(row.cost), _yuan(before), "accrual_days"))
        elif kind == "fee":
            row = manager.row("220601")
            before = row.cost or 0
            row.cost = row.market_value = before + rng.choice((1, 2, 3)) * custodian.mgmt_fee_daily
            truth.append(Break("220601", kind, "market_value", _yuan(row.cost), _yuan(before), "fee_days"))
        elif kind == "unit_nav":  # a subscription confirmed by the registrar but not booked by the manager
            # 0.1–2 % of the shares: enough to move the unit NAV at its 4 published decimals
            gap = max(1_000_000, round(custodian.units * rng.uniform(0.001, 0.02)))
            manager.units = custodian.units - gap
            r = manager.row("4001")
            r.quantity, r.cost, r.market_value = manager.units / 100, manager.units, manager.units
            truth.append(Break("4001", kind, "quantity", r.quantity, custodian.units / 100, "shares"))
        else:
            raise ValueError(f"unknown break kind {kind!r}; use one of {', '.join(BREAK_KINDS)}")
    _recompute(manager)
    for b in truth:  # the appreciation memo keeps its stale amount after the roll-up
        if b.kind == "appreciation" and b.subject_code is not None:
            memo = manager.row(b.subject_code)
            memo.cost = memo.market_value = round((b.custodian or 0) * 100) + rng.choice(
                (-1, 1)
            ) * rng.randrange(100, 90_000)
            truth[truth.index(b)] = replace(b, manager=_yuan(memo.market_value))
            parent = manager.row(b.subject_code[:8])
            parent.cost = parent.market_value = sum(
                r.market_value or 0
                for r in manager.rows
                if r.code.startswith(parent.code) and r.code != parent.code
            )
    if manager.nav != custodian.nav:
        truth.append(Break(None, "nav", "nav", _yuan(manager.nav), _yuan(custodian.nav), root=False))
    if manager.unit_nav != custodian.unit_nav:
        truth.append(Break(None, "unit_nav", "unit_nav", manager.unit_nav, custodian.unit_nav, root=False))
    return manager, truth


def make_pair(seed: int, breaks: Sequence[str] = ()) -> tuple[Fund, Fund, PairTruth]:
    """(manager, custodian, truth) in memory: the fast path for benches that do not need files."""
    custodian = generate_fund(seed)
    manager, found = inject_breaks(custodian, breaks, seed)
    roots = sum(1 for b in found if b.root)
    return (
        manager,
        custodian,
        PairTruth(
            seed=seed,
            breaks=tuple(found),
            manager_unit_nav=manager.unit_nav,
            custodian_unit_nav=custodian.unit_nav,
            manager_nav=manager.nav / 100,
            custodian_nav=custodian.nav / 100,
            severity=severity(manager.unit_nav, custodian.unit_nav, breaks=roots),
        ),
    )


def generate_pair(
    seed: int,
    layout_left: Layout | str,
    layout_right: Layout | str,
    breaks: Sequence[str] = (),
    *,
    out_dir: Path,
) -> tuple[tuple[Path, Path], PairTruth]:
    """Write the manager's table (left) and the custodian's (right) of one fund into `out_dir`."""
    manager, custodian, truth = make_pair(seed, breaks)
    out_dir.mkdir(parents=True, exist_ok=True)
    left = write_table(manager, layout_left, out_dir / f"fund{seed}_manager")
    right = write_table(custodian, layout_right, out_dir / f"fund{seed}_custodian")
    return (left, right), truth
