"""Files that are not valuation tables: each is refused with one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.documents import factories
from tests.recon import tables

from bankmind.errors import EmptyFile, EncryptedFile, InputError, UnsupportedFormat, ZipBomb
from bankmind.recon import NoHeaderFound, parse_table


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.xlsx", b"", EmptyFile),
        ("corrupt.xlsx", b"PK\x03\x04 this is not a real file \x00\xff" * 10, UnsupportedFormat),
        ("locked.xlsx", factories.encrypted_ooxml(), EncryptedFile),
        ("bomb.xlsx", factories.xlsx_bomb(400 * 1024 * 1024), ZipBomb),
        ("report.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", UnsupportedFormat),
        ("blank.csv", b",,,\r\n,,,\r\n", EmptyFile),
    ],
)
def test_refused(tmp_path: Path, name: str, data: bytes, error: type[InputError]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error) as info:
        parse_table(path)
    assert name in info.value.message


def test_no_header_row(tmp_path: Path) -> None:
    path = tables.write_csv(tmp_path / "名单.csv", [["姓名", "部门"], ["张三", "托管部"]], encoding="gbk")
    with pytest.raises(NoHeaderFound, match="科目代码"):
        parse_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="does not exist"):
        parse_table(tmp_path / "nope.xlsx")


def test_cli_exit_2_one_line(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04 broken \x00\xff" * 10)
    result = run("recon", "parse", str(path), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
