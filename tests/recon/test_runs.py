"""Stored runs: breaks are new or carried over against the product's previous run, their follow-up
(explained with a comment) carries over, a resolved break that comes back is open again, and only
the owner's department and administrators see a run. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bankmind.errors import InputError, NotFound
from bankmind.eval.recon_tables import generate_pair
from bankmind.recon import parse_table
from bankmind.recon.compare import Reconciliation, reconcile
from bankmind.recon.runs import get_break, get_run, list_runs, save_run, set_status
from bankmind.recon.types import ValuationTable
from bankmind.store import Store
from bankmind.store.users import create_user
from bankmind.types import Principal


@pytest.fixture
def people(store: Store) -> dict[str, Principal]:
    """Two colleagues of custody operations, someone of credit, an administrator, one without a department."""
    made = {
        "alice": ("托管运营部", "staff"),
        "bob": ("托管运营部", "staff"),
        "carol": ("信贷部", "staff"),
        "root": (None, "admin"),
        "dave": (None, "staff"),
    }
    return {
        name: create_user(store, name, roles=[role], department=dept, password="correct-horse-42")
        for name, (dept, role) in made.items()
    }


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[ValuationTable, ValuationTable]:
    (m, c), _ = generate_pair(
        3, "std_xlsx", "text_csv", ("quantity",), out_dir=tmp_path_factory.mktemp("pair")
    )
    return parse_table(m), parse_table(c)


def on_day(
    pair: tuple[ValuationTable, ValuationTable], day: dt.date, *, bump: str | None = None
) -> Reconciliation:
    """The pair dated `day`; `bump` names a leaf whose quantity the manager doubles (one more break)."""
    manager, custodian = (t.model_copy(update={"valuation_date": day}) for t in pair)
    if bump:
        rows = [
            r.model_copy(update={"quantity": (r.quantity or Decimal(0)) * 2}) if r.subject_code == bump else r
            for r in manager.rows
        ]
        manager = manager.model_copy(update={"rows": rows})
    return reconcile(manager, custodian)


def roots(run_id: str, store: Store) -> dict[str, str]:
    return {
        f"{b.subject_code}|{b.kind}": b.status for b in get_run(store, run_id).breaks_list if not b.knock_on
    }


def test_the_next_days_run_tells_new_from_carried_over_breaks(
    people: dict[str, Principal], store: Store, tables: tuple[ValuationTable, ValuationTable]
) -> None:
    day1 = dt.date(2025, 3, 27)
    first = save_run(
        store, on_day(tables, day1), manager_file="m.xlsx", custodian_file="c.csv", by=people["alice"]
    )
    assert first.breaks > 0 and first.new_breaks == first.breaks and first.carried_breaks == 0
    detail = get_run(store, first.id)
    assert {b.first_seen for b in detail.breaks_list} == {day1}
    root = next(b for b in detail.breaks_list if not b.knock_on)
    assert root.kind == "quantity" and root.status == "open" and root.manager_cell and root.custodian_cell
    marked = set_status(store, root.id, "explained", "  送股登记日差异，管理人次日补记  ", by=people["bob"])
    assert (marked.status, marked.comment, marked.status_by) == (
        "explained",
        "送股登记日差异，管理人次日补记",
        "bob",
    )
    assert marked.status_at is not None

    leaf = next(
        r.subject_code
        for r in tables[1].rows
        if r.is_leaf and r.quantity and r.subject_code != root.subject_code
    )
    second = save_run(
        store, on_day(tables, day1 + dt.timedelta(days=1), bump=leaf),
        manager_file="m.xlsx", custodian_file="c.csv", by=people["alice"],
    )  # fmt: skip
    assert second.previous_run_id == first.id
    assert second.carried_breaks == first.breaks and second.new_breaks == second.breaks - first.breaks
    carried = get_break(store, get_run(store, second.id).breaks_list[0].id)
    by_code = {b.subject_code: b for b in get_run(store, second.id).breaks_list if not b.knock_on}
    kept = by_code[root.subject_code]
    assert kept.carried_over and kept.first_seen == day1
    assert (kept.status, kept.comment, kept.status_by) == (
        "explained",
        "送股登记日差异，管理人次日补记",
        "bob",
    )
    fresh = by_code[leaf]
    assert (
        not fresh.carried_over and fresh.first_seen == day1 + dt.timedelta(days=1) and fresh.status == "open"
    )
    assert carried.run_id == second.id

    set_status(store, fresh.id, "resolved", "管理人已更正持仓", by=people["alice"])
    third = save_run(
        store, on_day(tables, day1 + dt.timedelta(days=2), bump=leaf),
        manager_file="m.xlsx", custodian_file="c.csv", by=people["alice"],
    )  # fmt: skip
    again = {b.subject_code: b for b in get_run(store, third.id).breaks_list if not b.knock_on}
    assert again[leaf].carried_over and again[leaf].status == "open" and again[leaf].comment is None

    clean = reconcile(
        *(
            t.model_copy(update={"valuation_date": day1 + dt.timedelta(days=3)})
            for t in (tables[1], tables[1])
        )
    )
    fourth = save_run(store, clean, manager_file="m.xlsx", custodian_file="c.csv", by=people["alice"])
    assert (fourth.breaks, fourth.cleared, fourth.severity) == (0, third.breaks, "ok")
    listed = list_runs(store, people["alice"], product=fourth.product)
    assert [r.id for r in listed] == [fourth.id, third.id, second.id, first.id]
    assert listed[1].open_breaks == sum(1 for s in roots(third.id, store).values() if s == "open")


def test_a_comment_is_required_and_bounded(
    people: dict[str, Principal], store: Store, tables: tuple[ValuationTable, ValuationTable]
) -> None:
    run = save_run(
        store, on_day(tables, dt.date(2025, 1, 2)), manager_file="m", custodian_file="c", by=people["alice"]
    )
    break_id = get_run(store, run.id).breaks_list[0].id
    with pytest.raises(InputError, match="needs a comment"):
        set_status(store, break_id, "resolved", "   ", by=people["alice"])
    with pytest.raises(InputError, match="not one of open, explained, resolved"):
        set_status(store, break_id, "ignored", "x", by=people["alice"])
    with pytest.raises(InputError, match="at most 2000"):
        set_status(store, break_id, "explained", "长" * 2001, by=people["alice"])
    assert set_status(store, break_id, "open", None, by=people["alice"]).status == "open"


def test_only_the_department_and_administrators_see_a_run(
    people: dict[str, Principal], store: Store, tables: tuple[ValuationTable, ValuationTable]
) -> None:
    run = save_run(
        store, on_day(tables, dt.date(2025, 2, 3)), manager_file="m", custodian_file="c", by=people["alice"]
    )
    break_id = get_run(store, run.id).breaks_list[0].id
    for viewer in (people["alice"], people["bob"], people["root"], None):
        assert get_run(store, run.id, viewer).id == run.id
        assert [r.id for r in list_runs(store, viewer)] == [run.id]
    with pytest.raises(NotFound):
        get_run(store, run.id, people["carol"])
    with pytest.raises(NotFound):
        set_status(store, break_id, "explained", "看不到也改不了", by=people["carol"])
    assert list_runs(store, people["carol"]) == []
    assert list_runs(store, people["dave"]) == []


def test_a_run_without_a_product_has_no_predecessor(
    store: Store, tables: tuple[ValuationTable, ValuationTable]
) -> None:
    anonymous = [t.model_copy(update={"product": None}) for t in tables]
    first = save_run(store, reconcile(*anonymous), manager_file="m", custodian_file="c")
    second = save_run(store, reconcile(*anonymous), manager_file="m", custodian_file="c")
    assert second.previous_run_id is None and second.new_breaks == second.breaks == first.breaks
    assert first.owner_name == "cli"


def test_same_day_rerun_carries_the_follow_up(
    people: dict[str, Principal], store: Store, tables: tuple[ValuationTable, ValuationTable], tmp_path: Path
) -> None:
    day = dt.date(2025, 4, 1)
    first = save_run(store, on_day(tables, day), manager_file="m", custodian_file="c", by=people["alice"])
    root = next(b for b in get_run(store, first.id).breaks_list if not b.knock_on)
    set_status(store, root.id, "explained", "已确认", by=people["alice"])
    rerun = save_run(store, on_day(tables, day), manager_file="m", custodian_file="c", by=people["alice"])
    assert rerun.previous_run_id == first.id and rerun.new_breaks == 0
    assert next(b for b in get_run(store, rerun.id).breaks_list if not b.knock_on).status == "explained"
