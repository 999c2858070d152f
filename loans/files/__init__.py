"""Banks' bulk loan files: ``upload`` (refuse what is not a loan file, queue the job), ``parse`` (headers,
cells, encodings), ``validate`` (every row through the API's functions, file-wide and register checks; every
error of every row), ``template`` (the downloadable workbook; its sample row passes every rule) and ``store``
(the job: all or nothing through ``loans.services.register_loans``; stuck jobs fail by timeout)."""
from .parse import COLUMNS, PLEDGE_COLUMNS, Parsed, as_submission, parse, template_headers
from .store import errors_by_row, loan_file_process, loan_files_fail_stuck, timeout
from .template import sample_row, template_workbook
from .upload import FileRefused, check_zip_bomb, loan_file_upload
from .validate import Prepared, validate_rows

__all__ = ["COLUMNS", "PLEDGE_COLUMNS", "FileRefused", "Parsed", "Prepared", "as_submission",
           "check_zip_bomb",
           "errors_by_row", "loan_file_process", "loan_file_upload", "loan_files_fail_stuck", "parse",
           "sample_row", "template_headers", "template_workbook", "timeout", "validate_rows"]
