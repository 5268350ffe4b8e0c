"""The `bankmind` command: one module per command group, errors as one line.

Expected failures (`BankmindError`) print `error: <message>` on stderr and exit with the error's
exit code (2 for bad input). Anything else is a bug: one line asking to rerun with `--debug`, which
shows the traceback. Under pytest the original exception propagates so tests see the bug.
"""

from __future__ import annotations

import sys

import typer

from bankmind import __version__
from bankmind.cli import (
    audit,
    contract,
    departments,
    doctor,
    jobs,
    kb,
    keys,
    models,
    pii,
    recon,
    serve,
    users,
)
from bankmind.cli import eval as eval_cli
from bankmind.cli.output import err
from bankmind.errors import BankmindError

app = typer.Typer(
    name="bankmind",
    help="bankmind: an on-premises AI workbench for banks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"bankmind {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """bankmind: an on-premises AI workbench for banks."""


app.command("serve")(serve.serve)
app.command("doctor")(doctor.doctor)
app.add_typer(models.app, name="models")
app.add_typer(users.app, name="users")
app.add_typer(keys.app, name="keys")
app.add_typer(jobs.app, name="jobs")
app.add_typer(departments.app, name="departments")
app.add_typer(audit.app, name="audit")
app.add_typer(pii.app, name="pii")
app.add_typer(kb.app, name="kb")
app.add_typer(recon.app, name="recon")
app.add_typer(contract.app, name="contract")
app.add_typer(eval_cli.app, name="eval")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="bankmind", standalone_mode=False)
    except BankmindError as exc:
        if debug:
            raise
        err.print(f"error: {exc.message}", markup=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted", markup=False)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: typer prints them with the usage line
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc.format_message()}", markup=False)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug or getattr(sys, "_called_from_test", False):
            raise
        err.print(f"internal error ({type(exc).__name__}); rerun with --debug and report it", markup=False)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
