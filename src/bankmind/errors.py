"""Every expected failure bankmind reports, in one tree.

A `BankmindError` is shown to a user as one line (CLI) or one error object (API), never as a
traceback. Subclasses are grouped by what the *caller* does about it:

    BankmindError                  code           exit  HTTP
    ├── InputError                 input_error      2   422   fix the file or the argument
    │   ├── UnsupportedFormat      unsupported_format
    │   ├── FileTooLarge           file_too_large         413
    │   ├── EmptyFile              empty_file
    │   ├── ZipBomb                zip_bomb
    │   └── EncryptedFile          encrypted_file
    ├── NotFound                   not_found        2   404
    │   └── ModelNotFound          model_not_found        no model of that name or alias on /v1
    ├── AuthenticationFailed       authentication_failed  401
    ├── PermissionDenied           permission_denied 2  403
    │   └── CsrfFailed             csrf_failed             reload the form and submit it again
    ├── QuotaExceeded              quota_exceeded   2   429
    ├── ConfigError                config_error     2   500   fix a setting; the service refuses to start
    ├── ModelNotInstalled          model_not_installed    503  run `bankmind models install`
    └── UpstreamError              upstream_error   2   502   a model server failed or is down
        └── UpstreamTimeout        upstream_timeout       504

Messages name the thing (file, setting, URL without secrets) and the fix; they never echo document
text, prompts or personal data.
"""

from __future__ import annotations

from typing import ClassVar


class BankmindError(Exception):
    """Expected failure: shown to users as one line, never as a traceback."""

    code: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(BankmindError):
    """The input (file, argument, request body) cannot be processed as given."""

    code = "input_error"
    http_status = 422


class UnsupportedFormat(InputError):
    """The file's content is not a type this place accepts."""

    code = "unsupported_format"
    http_status = 415


class FileTooLarge(InputError):
    """The file is over the configured size limit."""

    code = "file_too_large"
    http_status = 413


class EmptyFile(InputError):
    """The file has no content."""

    code = "empty_file"


class ZipBomb(InputError):
    """An xlsx/docx (zip) archive would expand beyond the safety limits."""

    code = "zip_bomb"


class EncryptedFile(InputError):
    """The file is password-protected or encrypted."""

    code = "encrypted_file"


class NotFound(BankmindError):
    """The named thing (job, document, user, model) does not exist."""

    code = "not_found"
    http_status = 404


class ModelNotFound(NotFound):
    """A /v1 request named a model that no role or alias serves."""

    code = "model_not_found"


class AuthenticationFailed(BankmindError):
    """Missing or wrong credentials (API key, password, session)."""

    code = "authentication_failed"
    http_status = 401


class PermissionDenied(BankmindError):
    """The principal is known but not allowed to do this."""

    code = "permission_denied"
    http_status = 403


class CsrfFailed(PermissionDenied):
    """A form or htmx request came without a valid CSRF token (an expired or forged page)."""

    code = "csrf_failed"


class QuotaExceeded(BankmindError):
    """A rate or token quota is used up; retry after `retry_after` seconds."""

    code = "quota_exceeded"
    http_status = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigError(BankmindError):
    """A setting is invalid or inconsistent; names the setting and a valid value."""

    code = "config_error"
    http_status = 500


class ModelNotInstalled(BankmindError):
    """The embedded model file is not assembled yet."""

    code = "model_not_installed"
    http_status = 503


class UpstreamError(BankmindError):
    """A model server (or other upstream) failed, refused the connection or answered garbage."""

    code = "upstream_error"
    http_status = 502


class UpstreamTimeout(UpstreamError):
    """A model server did not answer within the configured timeout."""

    code = "upstream_timeout"
    http_status = 504


ALL_ERRORS: tuple[type[BankmindError], ...] = (
    BankmindError,
    InputError,
    UnsupportedFormat,
    FileTooLarge,
    EmptyFile,
    ZipBomb,
    EncryptedFile,
    NotFound,
    ModelNotFound,
    AuthenticationFailed,
    PermissionDenied,
    CsrfFailed,
    QuotaExceeded,
    ConfigError,
    ModelNotInstalled,
    UpstreamError,
    UpstreamTimeout,
)
