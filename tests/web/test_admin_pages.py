"""The admin pages in-process, on SQLite and PostgreSQL: users, keys, departments, usage, audit log."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from bankmind.api.app import create_app
from bankmind.config import load_settings
from bankmind.errors import AuthenticationFailed
from bankmind.guard import audit
from bankmind.guard.quotas import Reservation, charge, local_day, reserve
from bankmind.store import Store
from bankmind.store.departments import create_department, get_department
from bankmind.store.users import authenticate
from bankmind.types import Principal
from bankmind.web import nav

PASSWORD = "correct-horse-42"  # the password the `user` fixture of conftest.py gives everybody
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
_KEY = re.compile(r"bm-[A-Za-z0-9_-]{20,}")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client(_isolated_home: Path, store_url: str) -> Iterator[TestClient]:
    """The app on an empty store of each backend (overrides the SQLite-only one of conftest.py)."""
    url = None if store_url.startswith("sqlite") else store_url
    settings = load_settings(home=_isolated_home, chat={"provider": "none"}, database_url=url)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


@dataclass
class Admin:
    client: TestClient
    principal: Principal
    csrf: str
    store: Store

    def post(self, path: str, data: dict[str, str], *, htmx: bool = True) -> Response:
        """A form post as the page sends it: through htmx (token in the header) or plainly (in the form)."""
        if htmx:
            return self.client.post(path, data=data, headers={**HTMX, "X-CSRF-Token": self.csrf})
        return self.client.post(path, data={**data, "csrf_token": self.csrf})


def _log_in(client: TestClient, name: str) -> str:
    form = _TOKEN.search(client.get("/login").text)
    assert form
    response = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": form.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    csrf = _TOKEN.search(client.get("/uploads").text)
    assert csrf and csrf.group(1)
    return csrf.group(1)


@pytest.fixture
def admin(client: TestClient, web_store: Store, user: Callable[..., Principal]) -> Admin:
    root = user("root", "admin")
    return Admin(client, root, _log_in(client, "root"), web_store)


def _topbar(html: str) -> str:
    return html.split("</header>")[0]


# --- who may ------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/keys", "/admin/departments", "/admin/usage", "/admin/audit"]
ADMIN_POSTS = [
    "/admin/users",
    "/admin/users/password",
    "/admin/keys",
    "/admin/keys/revoke",
    "/admin/departments",
    "/admin/departments/policy",
    "/admin/audit/verify",
]


def test_only_admins_see_the_admin_entry_and_pages(
    client: TestClient, user: Callable[..., Principal], web_store: Store
) -> None:
    user("alice", "custody")
    csrf = _log_in(client, "alice")
    home = client.get("/").text
    assert 'href="/admin"' not in _topbar(home)
    for path in ADMIN_PAGES:
        page = client.get(path)
        assert page.status_code == 403, path
        assert 'data-error-code="permission_denied"' in page.text and "没有权限" in page.text
        assert "is not one" in page.text and "alice" in page.text
    for path in ADMIN_POSTS:
        fragment = client.post(path, data={"name": "x"}, headers={**HTMX, "X-CSRF-Token": csrf})
        assert fragment.status_code == 403, path
        assert fragment.text.startswith('<div class="alert alert-error"')
    assert audit.list_entries(web_store) == []  # nothing was changed or recorded


def test_the_admin_entry_is_last_in_the_top_bar_for_an_admin(admin: Admin) -> None:
    topbar = _topbar(admin.client.get("/").text)
    links = re.findall(r'<a href="(/[a-z]*)"', topbar.split('class="mainnav"')[1])
    assert links == ["/", "/status", "/jobs", "/uploads", "/kb", "/recon", "/contracts", "/admin"]
    assert ">管理</a>" in topbar
    assert nav.entries()[-1].roles == ("admin",)


def test_admin_redirects_to_users_and_marks_the_tab(admin: Admin) -> None:
    response = admin.client.get("/admin?lang=en", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/users?lang=en"
    html = admin.client.get("/admin/users").text
    assert '<a href="/admin/users" aria-current="page">用户</a>' in html
    assert '<a href="/admin" aria-current="page">管理</a>' in _topbar(html)


def test_posts_without_the_csrf_token_are_refused(admin: Admin) -> None:
    form = {"name": "mallory", "roles": "admin", "password": "long-enough-1"}
    plain = admin.client.post("/admin/users", data=form)
    assert plain.status_code == 403 and 'data-error-code="csrf_failed"' in plain.text
    fragment = admin.client.post("/admin/users", data=form, headers=HTMX)
    assert fragment.status_code == 403 and fragment.text.startswith('<div class="alert alert-error"')
    wrong = admin.client.post("/admin/audit/verify", headers={**HTMX, "X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert "mallory" not in admin.client.get("/admin/users").text


# --- users --------------------------------------------------------------------------------------------


def test_admin_lists_adds_users_and_resets_a_password(admin: Admin) -> None:
    html = admin.client.get("/admin/users").text
    assert '<tr data-user="root">' in html and '<span class="badge badge-admin">admin</span>' in html
    assert f'name="csrf_token" value="{admin.csrf}"' in html

    added = admin.post(
        "/admin/users",
        {
            "name": "zhangwei",
            "roles": "custody， credit",
            "department": "资产托管部",
            "password": "Tuoguan-2025",
        },
    )
    assert added.status_code == 201
    assert added.text.startswith('<div class="alert alert-ok" role="status">已创建用户 zhangwei。</div>')
    section = added.text.split('<div id="users" class="admin-section" hx-swap-oob="true">')[1]
    assert '<tr data-user="zhangwei">' in section and "资产托管部" in section
    assert f'name="csrf_token" value="{admin.csrf}"' in section  # the swapped-in forms still work
    who = authenticate(admin.store, "zhangwei", "Tuoguan-2025")
    assert who.roles == ("credit", "custody") and who.department == "资产托管部"

    reset = admin.post("/admin/users/password", {"name": "zhangwei", "password": "Neu-Passwort-9"})
    assert reset.status_code == 200 and "已重置 zhangwei 的密码" in reset.text
    authenticate(admin.store, "zhangwei", "Neu-Passwort-9")
    with pytest.raises(AuthenticationFailed):
        authenticate(admin.store, "zhangwei", "Tuoguan-2025")

    records = {e.action: e for e in audit.list_entries(admin.store)}
    assert records["user.add"].principal == "root" and records["user.add"].details == {
        "user": "zhangwei",
        "roles": ["credit", "custody"],
        "department": "资产托管部",
        "via": "web",
    }
    assert records["user.password"].details == {"user": "zhangwei", "via": "web"}
    assert "Neu-Passwort-9" not in str(records) and "Tuoguan-2025" not in str(records)


REFUSED_USERS = [
    ({"name": "root", "roles": "staff", "password": "long-enough-1"}, "already exists"),
    ({"name": "lisi", "roles": " , ", "password": "long-enough-1"}, "at least one role"),
    ({"name": "lisi", "roles": "staff", "password": "short"}, "at least 8 characters"),
    ({"name": "李 四", "roles": "staff", "password": "long-enough-1"}, "may only hold letters"),
    ({"name": "lisi", "roles": "staff"}, "body.password: Field required"),
]


def test_a_refused_user_shows_the_error_fragment(admin: Admin) -> None:
    for form, says in REFUSED_USERS:
        refused = admin.post("/admin/users", form)
        assert refused.status_code == 422, form
        assert refused.text.startswith(
            '<div class="alert alert-error" role="alert" data-error-code="input_error">'
        )
        assert says in refused.text and "hx-swap-oob" not in refused.text, (form, refused.text)
        assert "Traceback" not in refused.text
    assert "lisi" not in admin.client.get("/admin/users").text


def test_resetting_the_password_of_nobody_is_not_found(admin: Admin) -> None:
    refused = admin.post("/admin/users/password", {"name": "nobody", "password": "long-enough-1"})
    assert refused.status_code == 404 and 'data-error-code="not_found"' in refused.text


def test_without_javascript_a_post_answers_with_the_whole_page(admin: Admin) -> None:
    page = admin.post(
        "/admin/users", {"name": "wangwu", "roles": "staff", "password": "long-enough-1"}, htmx=False
    )
    assert page.status_code == 201 and page.text.lower().startswith("<!doctype html>")
    assert "已创建用户 wangwu。" in page.text and '<tr data-user="wangwu">' in page.text
    assert "hx-swap-oob" not in page.text


# --- keys ---------------------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_then_only_its_prefix(admin: Admin, user: Callable[..., Principal]) -> None:
    user("alice", "custody")
    assert "暂无密钥。" in admin.client.get("/admin/keys").text
    created = admin.post("/admin/keys", {"user": "alice", "name": "recon-batch"})
    assert created.status_code == 201
    keys = _KEY.findall(created.text)
    assert len(keys) == 1, created.text
    key = keys[0]
    assert "已为 alice 创建密钥" in created.text and "只显示这一次" in created.text
    assert f'<code class="secret" title="单击即可全选">{key}</code>' in created.text

    listing = admin.client.get("/admin/keys").text
    assert key not in listing and not _KEY.search(listing)
    row = listing.split(f'<tr data-prefix="{key[:10]}">')[1].split("</tr>")[0]
    assert f"<code>{key[:10]}…</code>" in row and "recon-batch" in row and "alice" in row and "托管部" in row
    assert "从未使用" in row and "有效" in row

    me = admin.client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["name"] == "alice"
    used = admin.client.get("/admin/keys").text.split(f'<tr data-prefix="{key[:10]}">')[1].split("</tr>")[0]
    assert "从未使用" not in used

    revoked = admin.post("/admin/keys/revoke", {"prefix": key[:10]})
    assert revoked.status_code == 200 and f"已吊销用户 alice 的密钥 {key[:10]}…" in revoked.text
    assert admin.client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    again = admin.post("/admin/keys/revoke", {"prefix": key[:10]})
    assert "此前已被吊销" in again.text
    listing = admin.client.get("/admin/keys").text
    assert f'<tr data-prefix="{key[:10]}" class="revoked">' in listing and "已吊销" in listing

    actions = [(e.action, e.details) for e in audit.list_entries(admin.store)]
    created_details = {"user": "alice", "prefix": key[:10], "name": "recon-batch", "created_user": False}
    assert actions == [
        ("key.revoke", {"user": "alice", "prefix": key[:10], "via": "web"}),
        ("key.create", {**created_details, "via": "web"}),
    ]


def test_a_key_for_an_unknown_user_or_prefix_is_not_found(admin: Admin) -> None:
    for path, form in (("/admin/keys", {"user": "ghost"}), ("/admin/keys/revoke", {"prefix": "bm-nothing"})):
        refused = admin.post(path, form)
        assert refused.status_code == 404 and 'data-error-code="not_found"' in refused.text
        assert not _KEY.search(refused.text)


# --- departments --------------------------------------------------------------------------------------


def test_admin_creates_a_department_and_edits_its_policy(admin: Admin) -> None:
    created = admin.post(
        "/admin/departments",
        {"name": "零售信贷部", "no_external": "true", "mask_internal": "true", "tokens_per_day": "50,000"},
    )
    assert created.status_code == 201 and "已添加部门 零售信贷部。" in created.text
    policy = get_department(admin.store, "零售信贷部")
    assert policy is not None
    assert (policy.no_external, policy.mask_internal, policy.keep_masked_text, policy.tokens_per_day) == (
        True,
        True,
        False,
        50000,
    )
    row = admin.client.get("/admin/departments").text.split('<tr data-department="零售信贷部">')[1]
    row = row.split("</tr>")[0]
    assert 'name="no_external" value="true" form="policy-1" aria-label="禁用外部模型" checked' in row
    assert 'name="keep_masked_text" value="true" form="policy-1" aria-label="审计保留脱敏文本">' in row
    assert 'value="50000"' in row and '<form id="policy-1"' in row

    # the row's form sends every field: unticked boxes are absent, an empty quota means no limit
    saved = admin.post(
        "/admin/departments/policy", {"name": "零售信贷部", "keep_masked_text": "true", "tokens_per_day": ""}
    )
    assert saved.status_code == 200 and "已保存部门 零售信贷部 的策略。" in saved.text
    assert 'hx-swap-oob="true"' in saved.text
    policy = get_department(admin.store, "零售信贷部")
    assert policy is not None
    assert (policy.no_external, policy.mask_internal, policy.keep_masked_text, policy.tokens_per_day) == (
        False,
        False,
        True,
        None,
    )
    updates = [e for e in audit.list_entries(admin.store, action="department.update")]
    assert updates[0].details is not None and updates[0].details["keep_masked_text"] is True


REFUSED_DEPARTMENTS = [
    ("/admin/departments", {"name": "托管部", "tokens_per_day": "lots"}, 422, "whole number"),
    ("/admin/departments", {"name": "托管部", "tokens_per_day": "-5"}, 422, "whole number"),
    ("/admin/departments", {"name": "已有部门"}, 422, "already exists"),
    ("/admin/departments", {"name": "   "}, 422, "1-100 characters"),
    ("/admin/departments/policy", {"name": "没有这个部门"}, 404, "no department named"),
]


def test_a_refused_department_shows_the_error_fragment(admin: Admin) -> None:
    create_department(admin.store, "已有部门")
    for path, form, status, says in REFUSED_DEPARTMENTS:
        refused = admin.post(path, form)
        assert refused.status_code == status and says in refused.text, (form, refused.text)
        assert refused.text.startswith('<div class="alert alert-error"') and "Traceback" not in refused.text
    assert get_department(admin.store, "托管部") is None


# --- usage --------------------------------------------------------------------------------------------


def test_the_usage_page_shows_tokens_per_department_per_day(admin: Admin) -> None:
    retail = create_department(admin.store, "零售信贷部", tokens_per_day=10_000)
    create_department(admin.store, "资产托管部")
    today = local_day()
    charge(admin.store, reserve(admin.store, retail), tokens_in=4_000, tokens_out=1_234)
    charge(admin.store, reserve(admin.store, retail), tokens_in=100, tokens_out=66)
    charge(admin.store, reserve(admin.store, None), tokens_in=7, tokens_out=3)
    reserve(admin.store, retail)  # a third request today, with no tokens (yet)
    for days_ago, tokens in ((3, 900), (30, 5)):
        earlier = Reservation("零售信贷部", today - timedelta(days=days_ago))
        charge(admin.store, earlier, tokens_in=tokens, tokens_out=100 if days_ago == 3 else 5)

    html = admin.client.get("/admin/usage").text
    assert f"今日（{today.isoformat()}）" in html
    today_table = html.split('class="data usage-today"')[1].split("</table>")[0]
    retail_row = today_table.split('<tr data-department="零售信贷部">')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', retail_row)
    assert cells[:5] == ["3", "4,100", "1,300", "5,400", "10,000"]
    assert "54%" in retail_row
    custody_row = today_table.split('<tr data-department="资产托管部">')[1].split("</tr>")[0]
    assert "不限" in custody_row and ">0<" in custody_row
    assert "（无部门）" in today_table and "10" in today_table.split('<tr data-department="">')[1]

    week = html.split('class="data usage-week"')[1].split("</table>")[0]
    days = re.findall(r'<time datetime="([0-9-]+)">', week)
    assert days == [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    retail_week = week.split('<tr data-department="零售信贷部">')[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(.*?)</td>", retail_week) == [
        "0",
        "0",
        "0",
        "1,000",
        "0",
        "0",
        "5,400",
        "<strong>6,400</strong>",
    ]  # fmt: skip (the day 30 days ago is not shown)


# --- the audit log ------------------------------------------------------------------------------------


def _record(store: Store, who: Principal | None, action: str = "gateway.chat", **fields: Any) -> None:
    audit.append(store, principal=who, action=action, **fields)


def test_the_audit_viewer_shows_records_newest_first_without_text(
    admin: Admin, user: Callable[..., Principal]
) -> None:
    create_department(admin.store, "托管部", keep_masked_text=True)
    alice = user("alice", "custody")
    _record(
        admin.store,
        alice,
        model="deepseek-v3",
        tokens_in=812,
        tokens_out=240,
        latency_ms=1930,
        pii={"CN_ID": 1, "BANK_CARD": 2},
        masked_prompt="客户 <PERSON_1> 的身份证 <CN_ID_1> 名下的卡",
        masked_response="已查询 <BANK_CARD_1>",
    )
    _record(admin.store, alice, outcome="denied", model="gpt-4o")
    _record(admin.store, None, action="key.create", details={"user": "alice", "via": "cli"})
    html = admin.client.get("/admin/audit").text
    assert [int(s) for s in re.findall(r'<tr data-seq="(\d+)">', html)] == [3, 2, 1]
    first = html.split('<tr data-seq="1">')[1].split("</tr>")[0]
    assert "alice" in first and "托管部" in first and "deepseek-v3" in first
    assert "BANK_CARD × 2" in first and "CN_ID × 1" in first
    assert "812 / 240" in first and "1,930 毫秒" in first and '<span class="state ok">ok</span>' in first
    entry = audit.list_entries(admin.store, action="gateway.chat", outcome="ok")[0]
    assert entry.masked_prompt is not None  # kept by the department's policy, yet never shown
    assert f'<code title="{entry.hash}">{entry.hash[:12]}</code>' in first
    for secret in ("<PERSON_1>", "&lt;PERSON_1&gt;", "身份证", "CN_ID_1", "已查询", entry.prompt_sha256):
        assert secret not in html
    assert '<span class="state bad">denied</span>' in html
    assert "（命令行）" in html.split('<tr data-seq="3">')[1].split("</tr>")[0]


def test_the_audit_viewer_filters(admin: Admin, user: Callable[..., Principal]) -> None:
    alice, bob = user("alice", "custody"), user("bob", "credit")
    _record(admin.store, alice)
    _record(admin.store, bob)
    _record(admin.store, bob, outcome="quota_exceeded")
    _record(admin.store, alice, action="gateway.embeddings")

    def seqs(query: str) -> list[int]:
        page = admin.client.get(f"/admin/audit?{query}")
        assert page.status_code == 200, page.text
        return [int(s) for s in re.findall(r'<tr data-seq="(\d+)">', page.text)]

    assert seqs("") == [4, 3, 2, 1]
    assert seqs("principal=bob") == [3, 2]
    assert seqs("principal=bob&outcome=ok") == [2]
    assert seqs("action=gateway.embeddings") == [4]
    assert seqs("principal=carol") == []
    today = local_day()
    assert seqs(f"from={today}&to={today}") == [4, 3, 2, 1]
    assert seqs(f"to={today - timedelta(days=1)}") == []
    assert seqs(f"from={today + timedelta(days=1)}") == []
    assert seqs("from=&to=&principal=&action=&outcome=") == [4, 3, 2, 1]  # the empty form
    filtered = admin.client.get("/admin/audit?principal=bob&outcome=ok").text
    assert 'name="principal" value="bob"' in filtered and 'href="/admin/audit">清除筛选</a>' in filtered
    assert "没有符合条件的记录。" in admin.client.get("/admin/audit?principal=carol").text
    fragment = admin.client.get("/admin/audit?principal=alice", headers=HTMX)
    assert fragment.text.startswith('<div id="audit-entries">')


def test_bad_audit_filters_are_explained(admin: Admin) -> None:
    for query, says in (
        ("from=2025-13-01", "is not a date"),
        ("from=2025-07-01&to=2025-06-30", "after the to date"),
        ("page=0", "query.page"),
    ):
        page = admin.client.get(f"/admin/audit?{query}")
        assert page.status_code == 422 and 'data-error-code="input_error"' in page.text
        assert says in page.text, (query, page.text)


def test_the_audit_viewer_pages(admin: Admin) -> None:
    for _ in range(53):
        _record(admin.store, admin.principal, action="gateway.embeddings")
    first = admin.client.get("/admin/audit?action=gateway.embeddings").text
    assert len(re.findall(r'<tr data-seq="', first)) == 50 and '<tr data-seq="53">' in first
    assert 'href="/admin/audit?action=gateway.embeddings&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first and "第 1 页" in first
    second = admin.client.get("/admin/audit?action=gateway.embeddings&page=2").text
    assert re.findall(r'<tr data-seq="(\d+)">', second) == ["3", "2", "1"]
    assert 'href="/admin/audit?action=gateway.embeddings" rel="prev"' in second and 'rel="next"' not in second


def test_verify_chain_on_an_intact_and_on_a_tampered_log(
    admin: Admin, user: Callable[..., Principal]
) -> None:
    empty = admin.post("/admin/audit/verify", {})
    assert empty.status_code == 200 and 'data-verify="ok"' in empty.text and "已检查 0 条记录" in empty.text
    alice = user("alice", "custody")
    for n in range(4):
        _record(admin.store, alice, tokens_in=10 + n, tokens_out=5)
    head = audit.list_entries(admin.store, limit=1)[0]

    intact = admin.post("/admin/audit/verify", {})
    assert intact.status_code == 200
    assert intact.text.startswith('<div class="alert alert-ok" role="status" data-verify="ok">')
    assert "哈希链完整" in intact.text and "已检查 4 条记录" in intact.text
    assert '<dd class="num" data-head-seq>4</dd>' in intact.text and head.hash in intact.text

    with admin.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET tokens_in = 9999 WHERE seq = 2"))
    broken = admin.post("/admin/audit/verify", {})
    assert broken.status_code == 200 and 'data-verify="broken"' in broken.text
    assert "哈希链已被破坏" in broken.text
    assert '<tr data-problem-seq="2" data-kind="edited">' in broken.text and "被修改" in broken.text
    assert "record 2 does not match its hash" in broken.text

    page = admin.post("/admin/audit/verify", {}, htmx=False)  # without JavaScript: the whole page
    assert page.text.lower().startswith("<!doctype html>") and 'data-problem-seq="2"' in page.text
    assert '<tr data-seq="2">' in page.text


def test_the_admin_pages_in_english(admin: Admin) -> None:
    html = admin.client.get("/admin/audit?lang=en").text
    assert "<h1>Audit log</h1>" in html and "Verify chain" in html and ">Admin</a>" in html
    for path, heading in (
        ("/admin/users", "Users"),
        ("/admin/keys", "API keys"),
        ("/admin/departments", "Departments and policies"),
        ("/admin/usage", "Usage"),
    ):
        assert f"<h1>{heading}</h1>" in admin.client.get(path).text  # remembered in the cookie
    verified = admin.post("/admin/audit/verify", {})
    assert "The chain is intact" in verified.text
