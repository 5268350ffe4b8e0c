"""`bankmind contract inspect`: a contract's type, fields, findings and seals (cli-contract.md).

Exit codes: 0 when no finding was made, 1 when there are findings (of any severity; "low" ones are
informational), 2 when a file cannot be read (one line on stderr naming it).
"""

from __future__ import annotations

from pathlib import Path

import typer

from bankmind.cli.output import Format, emit_json, err, out
from bankmind.contracts.inspect import inspect_files

app = typer.Typer(
    help="Contract quality inspection (合同质检): fields, findings, seals.", no_args_is_help=True
)

_SEVERITY = {"high": "高", "medium": "中", "low": "低"}


@app.command()
def inspect(
    files: list[Path] = typer.Argument(
        ..., help="Contracts (.pdf text or scanned, .docx, .txt, images); several files are one transaction."
    ),
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
) -> None:
    """Check each contract against the rules; related contracts (a loan and its guarantees) are
    checked against each other."""
    inspections = inspect_files(files)
    documents = [i.contract_dict() for i in inspections]
    if fmt == Format.json:
        named = [{"file": i.file, **d} for i, d in zip(inspections, documents, strict=True)]
        emit_json(documents[0] if len(documents) == 1 else named)
    else:
        for inspection in inspections:
            fields = inspection.fields
            out.print(
                f"{inspection.file}: {inspection.title or '?'} ({inspection.contract_type}), "
                f"{inspection.pages} page(s), {len(inspection.seals)} seal(s)",
                markup=False,
            )
            for name, field in fields.items():
                out.print(f"  {name}: {field.value}", markup=False)
            for party in inspection.parties:
                out.print(f"  {party.role}: {party.name}", markup=False)
            for finding in inspection.findings:
                where = f" (p.{finding.evidence.page})" if finding.evidence else ""
                out.print(
                    f"  [{_SEVERITY[finding.severity]}] {finding.code}: {finding.message}{where}",
                    markup=False,
                )
            if not inspection.findings:
                out.print("  no findings", markup=False)
    found = sum(len(i.findings) for i in inspections)
    if found and fmt != Format.json:
        err.print(f"{found} finding(s): see above", markup=False)
    raise typer.Exit(1 if found else 0)
