"""Reading a CSV export of the school's MIS (SIMS, Arbor, Bromcom …): decoding, parsing,
validating each row and previewing what an import would do. Nothing here writes; the writes are
``pupils.services.mis_import``.

The steps, each a separate function:

1. ``decode_file(raw)``        bytes → text and its encoding. Whole-file checks: size, encoding
                               (detected; refused when unsure or garbled), binary content.
2. ``parse_csv(text)``         text → ``ParsedFile``: header mapped to our fields, required columns,
                               row limit. Whole-file problems raise ``ImportFileError``.
3. ``build_preview(parsed, existing)``  every row validated and classed as new / update /
                               unchanged / error, against the school's pupils with those UPNs.
                               Pure: the caller fetches ``existing`` (``preview_import`` does it in
                               one query).
4. ``services.mis_import.start_import`` stores the decoded text as a ``PupilImport`` (status
   *previewed*); ``apply_import`` writes the pupils in ONE transaction (bulk create + update).

The rules (the upload page says the same to the SENCo):

- **Nothing partial.** A file with any row error cannot be imported; fix the export and upload it
  again. Whole-file problems save nothing at all (no ``PupilImport``, no pupils).
- **Matched by UPN within the school.** Importing the same file again updates, never duplicates.
- **Only the columns in the file are written.** A column the file does not have leaves that field
  of existing pupils alone (new pupils get the usual default). A blank cell in a column the file
  does have clears the field (SEN status blank = N, gender blank = X).
- **Leavers stay archived.** Updating an archived pupil never touches ``left_on``.
- **UK dates.** Day first (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), ISO yyyy-mm-dd, or
  "14 Mar 2014" — never month first.
- **Encoding: detected, never guessed.** UTF-8 (with or without a BOM) and UTF-16 with a BOM
  (Excel "Unicode Text") are read as they are; anything else through charset-normalizer, and only
  when it is sure (Windows-1252 preferred among equally likely readings). Unsure, or text that
  looks garbled: the file is refused with "save it as CSV UTF-8". The preview says the encoding.
- **Warnings do not block.** A new pupil's UPN whose LA code the census does not recognise, and
  a text cell beginning with =, +, - or @ (imported as typed; exports escape it), are listed in
  the preview for the SENCo to check before confirming.
- **Idempotent confirm.** The batch is claimed with a conditional update (previewed → imported);
  a second confirm of the same batch does nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property

import charset_normalizer
from django.core.exceptions import ValidationError

from pupils.models import Gender, LocalAuthorityCode, PrimaryNeed, Pupil, SenStatus, YearGroup
from pupils.validators import normalise_upn, unrecognised_la_code, validate_upn
from semh.calendar import DATE_OF_BIRTH
from semh.spreadsheet import FORMULA_STARTS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 300


# ---------------------------------------------------------------------------------------------
# Errors


class ImportFileError(Exception):
    """The file as a whole cannot be used. Nothing is saved."""

    def __init__(self, message: str, code: str, **info):
        super().__init__(message)
        self.message = message
        self.code = code
        self.info = info


# ---------------------------------------------------------------------------------------------
# Columns


def heading_key(text: str) -> str:
    """Headings compare ignoring case, spaces and punctuation ("Date_of_birth" == "DateOfBirth")."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    headings: tuple[str, ...]  # in priority order: the first one found in the file is used
    required: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(heading_key(h) for h in self.headings)


COLUMNS: tuple[Column, ...] = (
    Column("upn", "UPN", ("UPN", "Unique Pupil Number", "Pupil UPN"), required=True),
    Column(
        "legal_last_name",
        "Legal surname",
        ("Legal Surname", "Legal Last Name", "Surname", "Last Name", "Family Name"),
        required=True,
    ),
    Column(
        "legal_first_name",
        "Legal forename",
        ("Legal Forename", "Legal First Name", "Forename", "First Name", "Given Name"),
        required=True,
    ),
    Column(
        "preferred_first_name",
        "Preferred forename",
        ("Preferred Forename", "Preferred First Name", "Known As", "Preferred Name"),
    ),
    Column(
        "preferred_last_name", "Preferred surname", ("Preferred Surname", "Preferred Last Name")
    ),
    Column(
        "date_of_birth",
        "Date of birth",
        ("Date of Birth", "DOB", "Birth Date"),
        required=True,
    ),
    Column("gender", "Gender", ("Gender", "Sex")),
    Column(
        "year_group",
        "Year group",
        ("Year Group", "NC Year", "Curriculum Year", "National Curriculum Year", "Year"),
        required=True,
    ),
    Column(
        "form",
        "Form",
        (
            "Reg Group",
            "Registration Group",
            "Registration Form",
            "Reg Form",
            "Form Group",
            "Tutor Group",
            "Form",
            "Class",
        ),
    ),
    Column("sen_status", "SEN status", ("SEN Status", "SEN Provision", "SEN")),
    Column(
        "primary_need",
        "Primary need",
        ("Primary Need", "Primary SEN Need", "SEN Primary Need", "Primary Type of Need"),
    ),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c.required)


@dataclass
class ParsedFile:
    headers: list[str]
    columns: dict[str, int]  # our field -> index of its column in the file
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells); header is row 1
    known: tuple[Column, ...] = COLUMNS  # the columns the file was read against

    def heading(self, field_name: str) -> str:
        """The file's own heading for one of our fields (for messages)."""
        return self.headers[self.columns[field_name]].strip()

    @property
    def recognised(self) -> list[tuple[str, str]]:
        return [(c.label, self.heading(c.field)) for c in self.known if c.field in self.columns]

    @property
    def ignored_headers(self) -> list[str]:
        used = set(self.columns.values())
        return [h.strip() for i, h in enumerate(self.headers) if i not in used and h.strip()]


# ---------------------------------------------------------------------------------------------
# 1. Decode


BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zipped file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF"),
)
SAVE_AS_CSV = 'In Excel choose File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)".'
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_big(size: int) -> ImportFileError:
    return ImportFileError(
        f"The file is too large ({size / 1024 / 1024:.1f} MB). The limit is "
        f"{MAX_BYTES // 1024 // 1024} MB or {MAX_ROWS:,} pupils; export one year group at a "
        "time if needed.",
        "too_big",
    )


UNSURE_ENCODING = (
    "We could not tell which encoding this file is in, so it was not read (reading it wrongly "
    "would garble pupils' names). Save it again as UTF-8 and upload that: in Excel choose "
    'File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)"; in your MIS choose UTF-8 (or '
    "Unicode) when you export."
)
# Text in the wrong encoding, once removed: UTF-8 read as Windows-1252 and saved again ("Zoë" ->
# "ZoÃ«"), and the replacement character left where a byte could not be read at all.
GARBLED = re.compile("[ÂÃ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]|\ufffd")
ENCODING_LABELS = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1257": "Windows-1257",
    "cp932": "Shift JIS",
    "mac_roman": "Mac Roman",
}
# How much worse (charset-normalizer's "chaos", 0-1) another reading may be and still count as
# just as likely; the best reading itself must be at least this clean.
CLOSE_CHAOS = 0.05
MAX_CHAOS = 0.1


@dataclass(frozen=True)
class DecodedFile:
    text: str
    encoding: str  # for the SENCo: "UTF-8", "Windows-1252" …


def _detect_encoding(raw: bytes) -> str:
    """The encoding of a file that is not UTF-8, or ``ImportFileError`` when it is unsure.

    Readings as likely as the best one must agree on the text; except that Windows-1252 wins
    among them, since a school's non-UTF-8 export is nearly always Excel's or the MIS's "ANSI"
    CSV from English Windows. Otherwise several readings (Shift JIS, Korean, Chinese … all read
    the same bytes "cleanly") mean we cannot know which names are right, so we refuse."""
    matches = list(charset_normalizer.from_bytes(raw))
    if not matches or matches[0].chaos > MAX_CHAOS:
        raise ImportFileError(UNSURE_ENCODING, "encoding")
    likely = [m for m in matches if m.chaos <= matches[0].chaos + CLOSE_CHAOS]
    if any("cp1252" in m.could_be_from_charset for m in likely):
        return "cp1252"
    if len({str(m) for m in likely}) > 1:
        raise ImportFileError(UNSURE_ENCODING, "encoding", candidates=[m.encoding for m in likely])
    return matches[0].encoding


NAME_FIELDS = ("legal_last_name", "legal_first_name", "preferred_first_name", "preferred_last_name")
NAME_PUNCTUATION = "’‘–"


def _misread_name(text: str) -> bool:
    """Whether a name cell holds a non-ASCII character no name has: a symbol where a detected
    reading went wrong, as "ŽR“c" (山田 in Shift JIS read as Windows-1252) or "£ukasz" (Łukasz
    in Windows-1250). Names hold letters (and accents), spaces, hyphens and apostrophes; ASCII
    oddities are left to the row checks, as they say nothing about the encoding."""
    try:
        parsed = parse_csv(text)
    except ImportFileError:
        return False  # the parser explains what is wrong with the file
    indexes = [parsed.columns[f] for f in NAME_FIELDS if f in parsed.columns]
    for _, cells in parsed.rows:
        for index in indexes:
            for char in _cell(cells, index):
                if char.isascii() or char in NAME_PUNCTUATION:
                    continue
                if char == "ƒ" or not (char.isalpha() or unicodedata.category(char)[0] == "M"):
                    return True
    return False


def decode_file(raw: bytes) -> DecodedFile:
    """The file's text and encoding: UTF-8 (with or without a BOM) or UTF-16 with its BOM as they
    are, anything else only when the detector is sure; binary or garbled text is refused."""
    if len(raw) > MAX_BYTES:
        raise _too_big(len(raw))
    if not raw.strip():
        raise ImportFileError("The file is empty.", "empty")
    for signature, what in BINARY_SIGNATURES:
        if raw.startswith(signature):
            raise ImportFileError(
                f"This is not a CSV file: it looks like {what}. {SAVE_AS_CSV}", "not_csv"
            )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf_16"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf_8"
        except UnicodeDecodeError:
            encoding = _detect_encoding(raw)
    try:
        text = raw.decode("utf-8-sig" if encoding == "utf_8" else encoding)
    except (UnicodeDecodeError, LookupError):
        raise ImportFileError(UNSURE_ENCODING, "encoding") from None
    if encoding not in ("utf_8", "utf_16") and _misread_name(text):
        raise ImportFileError(UNSURE_ENCODING, "encoding", detected=encoding)
    text = text.rstrip("\x1a")
    if CONTROL_CHARS.search(text):
        raise ImportFileError(
            f"The file is in an encoding we cannot read (or is not a text file). {UNSURE_ENCODING}",
            "encoding",
        )
    if garbled := GARBLED.search(text):
        sample = text[max(garbled.start() - 10, 0) : garbled.end() + 10].split("\n")[0]
        raise ImportFileError(
            f'Some text in this file looks garbled (for example "{sample.strip()}"): it was '
            "probably converted between encodings on the way. Export it from your MIS again as "
            f"UTF-8 rather than fixing it in the file. {SAVE_AS_CSV}",
            "encoding",
        )
    if not text.strip():
        raise ImportFileError("The file is empty.", "empty")
    label = ENCODING_LABELS.get(encoding, encoding.replace("_", "-").upper())
    return DecodedFile(text=text, encoding=label)


def decode_upload(raw: bytes) -> str:
    """The file's text (see ``decode_file``)."""
    return decode_file(raw).text


def read_upload(upload, parse=None) -> DecodedFile:
    """An uploaded file that passed every whole-file check (``parse``: the import's parser,
    ``parse_csv`` unless told)."""
    if upload.size > MAX_BYTES:
        raise _too_big(upload.size)  # before reading it into memory
    decoded = decode_file(upload.read())
    (parse or parse_csv)(decoded.text)
    return decoded


# ---------------------------------------------------------------------------------------------
# 2. Parse


def _delimiter(text: str) -> str:
    first_line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _map_columns(headers: list[str], known: tuple[Column, ...] = COLUMNS) -> dict[str, int]:
    keys = [heading_key(h) for h in headers]
    columns: dict[str, int] = {}
    for column in known:
        for key in column.keys:
            found = [i for i, k in enumerate(keys) if k == key]
            if len(found) > 1:
                raise ImportFileError(
                    f'The column "{headers[found[0]].strip()}" appears {len(found)} times. '
                    "Keep one and upload the file again.",
                    "duplicate_column",
                )
            if found:
                columns[column.field] = found[0]
                break
    return columns


def _missing_columns_message(missing: list[Column]) -> str:
    accepted = "; ".join(f"{c.label}: " + " / ".join(f'"{h}"' for h in c.headings) for c in missing)
    names = ", ".join(c.label for c in missing)
    return (
        f"The file is missing required column{'s' if len(missing) > 1 else ''}: {names}. "
        f"Headings we recognise — {accepted}."
    )


def parse_csv(
    text: str, known: tuple[Column, ...] = COLUMNS, noun: str = "pupils", example: str = ""
) -> ParsedFile:
    """Rows of the file with the header mapped to ``known`` columns (the pupil import's unless
    told; ``noun`` names a row in messages). Blank rows are skipped."""
    example = example or "UPN, Surname, Forename, DOB, Year …"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = cells
                if len(headers) > MAX_COLUMNS:
                    raise ImportFileError(
                        f"The file has {len(headers)} columns; this is not an export of {noun} "
                        f"(the limit is {MAX_COLUMNS}).",
                        "not_csv",
                    )
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} {noun}. The limit is {MAX_ROWS:,} "
                    f"{noun} or {MAX_BYTES // 1024 // 1024} MB; import it in parts "
                    "(e.g. by year group).",
                    "too_many_rows",
                )
    except csv.Error as error:
        raise ImportFileError(
            f"This file could not be read as CSV (near row {number + 1}: {error}). {SAVE_AS_CSV}",
            "not_csv",
        ) from None
    if headers is None:
        raise ImportFileError("The file is empty.", "empty")
    if len(headers) < 2:
        raise ImportFileError(
            "This does not look like a CSV file: the first row should be column headings "
            f"separated by commas ({example}). {SAVE_AS_CSV}",
            "not_csv",
        )
    columns = _map_columns(headers, known)
    missing = [c for c in known if c.required and c.field not in columns]
    if missing:
        raise ImportFileError(
            _missing_columns_message(missing),
            "missing_columns",
            missing=[c.label for c in missing],
        )
    if not rows:
        raise ImportFileError(
            f"The file has a header row but no {noun} below it.",
            "no_rows",
        )
    return ParsedFile(headers=headers, columns=columns, rows=rows, known=known)


# ---------------------------------------------------------------------------------------------
# 3. Validate rows


class BadValue(ValueError):
    pass


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _value_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.casefold())


def clean_upn(value: str) -> str:
    upn = normalise_upn(value)
    if not upn:
        raise BadValue("UPN is missing.")
    try:
        validate_upn(upn)
    except ValidationError as error:
        raise BadValue(f'UPN "{_shown(upn)}": {error.messages[0]}') from None
    return upn


def _name(value: str, *, label: str, required: bool, max_length: int = 100) -> str:
    name = " ".join(value.split())
    if required and not name:
        raise BadValue(f"{label} is missing.")
    if len(name) > max_length:
        raise BadValue(f"{label} is longer than {max_length} characters.")
    return name


MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {
    **{name: i for i, name in enumerate(MONTH_NAMES.split(), start=1)},
    **{name[:3]: i for i, name in enumerate(MONTH_NAMES.split(), start=1)},
    "sept": 9,
}
DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", re.ASCII)
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
WORDY = re.compile(r"(\d{1,2})[ \-]([a-z]{3,9})[ \-](\d{4})", re.ASCII | re.IGNORECASE)
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.ASCII)


def parse_uk_date(value: str) -> datetime.date:
    """A date in UK order (day first) or ISO; US order (month first) is never guessed."""
    text = TIME_SUFFIX.sub("", value.strip())
    if match := ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := DAY_FIRST.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        if len(match[3]) == 2:
            raise BadValue(f'"{_shown(value)}" has a two-digit year: use dd/mm/yyyy.')
        year = int(match[3])
    elif (match := WORDY.fullmatch(text)) and match[2].casefold() in MONTHS:
        day, month, year = int(match[1]), MONTHS[match[2].casefold()], int(match[3])
    else:
        raise BadValue(f'"{_shown(value)}" is not a date we can read: use dd/mm/yyyy.')
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise BadValue(
            f'"{_shown(value)}" is not a real date (dates are read day first: dd/mm/yyyy).'
        ) from None


def clean_date_of_birth(value: str) -> datetime.date:
    if not value.strip():
        raise BadValue("Date of birth is missing.")
    born = parse_uk_date(value)
    if not DATE_OF_BIRTH.allows(born):
        raise BadValue(f"{born:%d/%m/%Y} is not plausible. {DATE_OF_BIRTH.message()}")
    return born


YEAR_WORDS = {
    "r": 0,
    "yr": 0,
    "yearr": 0,
    "rec": 0,
    "reception": 0,
    "fs2": 0,
    "n1": -2,
    "nursery1": -2,
    "n2": -1,
    "nursery2": -1,
    "fs1": -1,
}
YEAR_NUMBER = re.compile(r"(?:year|yr|y|ncy|nc)?(\d{1,2})", re.ASCII)


def clean_year_group(value: str) -> int:
    key = re.sub(r"[\s._]", "", value.casefold())  # keeps "-": "Year -1" is not Year 1
    if not key:
        raise BadValue("Year group is missing.")
    if key in YEAR_WORDS:
        return YEAR_WORDS[key]
    match = YEAR_NUMBER.fullmatch(key)
    if match and int(match[1]) in YearGroup.values:
        return int(match[1])
    raise BadValue(f'Unknown year group "{_shown(value)}" (use Year 7, 7, Y7, R, N1 or N2).')


GENDERS = {
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "girl": Gender.FEMALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "boy": Gender.MALE,
    "": Gender.OTHER,
    "x": Gender.OTHER,
    "u": Gender.OTHER,
    "other": Gender.OTHER,
    "unknown": Gender.OTHER,
    "notknown": Gender.OTHER,
    "notrecorded": Gender.OTHER,
    "notspecified": Gender.OTHER,
    "prefernottosay": Gender.OTHER,
}


def _lookup(value: str, table: dict[str, str]) -> str | None:
    """Look a value up whole, then each part of "CODE - label" / "CODE: label"."""
    candidates = [value, *re.split(r"\s*[-:–]\s*", value.strip(), maxsplit=1)]
    for candidate in candidates:
        key = _value_key(candidate)
        if key in table:
            return table[key]
    return None


def clean_gender(value: str) -> str:
    gender = _lookup(value, GENDERS)
    if gender is None:
        raise BadValue(f'Unknown gender "{_shown(value)}" (use F, M or X).')
    return gender


SEN_STATUSES = {
    "": SenStatus.NONE,
    "n": SenStatus.NONE,
    "no": SenStatus.NONE,
    "none": SenStatus.NONE,
    "nosen": SenStatus.NONE,
    "nonsen": SenStatus.NONE,
    "k": SenStatus.SEN_SUPPORT,
    "sensupport": SenStatus.SEN_SUPPORT,
    "support": SenStatus.SEN_SUPPORT,
    "e": SenStatus.EHCP,
    "ehcp": SenStatus.EHCP,
    "ehc": SenStatus.EHCP,
    "ehcplan": SenStatus.EHCP,
    "educationhealthandcareplan": SenStatus.EHCP,
    "educationhealthcareplan": SenStatus.EHCP,
    **{_value_key(s.label): s.value for s in SenStatus},
}


def clean_sen_status(value: str) -> str:
    status = _lookup(value, SEN_STATUSES)
    if status is None:
        raise BadValue(
            f'Unknown SEN status "{_shown(value)}" (use N, K / SEN Support or E / EHC Plan).'
        )
    return status


PRIMARY_NEEDS = {
    "": "",
    **{_value_key(n.value): n.value for n in PrimaryNeed},
    **{_value_key(n.label): n.value for n in PrimaryNeed},
    "asc": PrimaryNeed.ASD,
    "autism": PrimaryNeed.ASD,
    "autismspectrumcondition": PrimaryNeed.ASD,
    "autisticspectrumcondition": PrimaryNeed.ASD,
    "socialemotionalmentalhealth": PrimaryNeed.SEMH,
}


def clean_primary_need(value: str) -> str:
    need = _lookup(value, PRIMARY_NEEDS)
    if need is None:
        raise BadValue(f'Unknown primary need "{_shown(value)}" (use a DfE code such as SEMH).')
    return need


def clean_form(value: str) -> str:
    return _name(value, label="Form", required=False, max_length=30)


CLEANERS = {
    "upn": clean_upn,
    "legal_last_name": lambda v: _name(v, label="Legal surname", required=True),
    "legal_first_name": lambda v: _name(v, label="Legal forename", required=True),
    "preferred_first_name": lambda v: _name(v, label="Preferred forename", required=False),
    "preferred_last_name": lambda v: _name(v, label="Preferred surname", required=False),
    "date_of_birth": clean_date_of_birth,
    "gender": clean_gender,
    "year_group": clean_year_group,
    "form": clean_form,
    "sen_status": clean_sen_status,
    "primary_need": clean_primary_need,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the file's own heading
    message: str
    pupil: str = ""  # the row's name cells as read, to find the pupil in the MIS


# Cells imported as typed. One that starts like a formula is flagged for the SENCo, not changed:
# "-Ann" may be how the MIS holds a name, and every export escapes it (semh.spreadsheet).
TEXT_FIELDS = (*NAME_FIELDS, "form")


def row_warnings(row: PreviewRow, parsed: ParsedFile, la_codes) -> list[RowError]:
    """What the SENCo should check in a row that would import: formula-like text, and a new
    pupil's UPN whose LA code the census does not recognise (``la_codes`` None: not checked).
    Values already held for a pupil here are not flagged again."""
    warnings = []
    new = row.existing is None
    for field_name in TEXT_FIELDS:
        value = row.values.get(field_name, "")
        if value.startswith(FORMULA_STARTS) and (new or field_name in row.changes):
            warnings.append(
                RowError(
                    row.number,
                    parsed.heading(field_name),
                    f"“{_shown(value)}” begins with “{value[0]}”, which a spreadsheet could "
                    "run as a formula. Check it is what the MIS holds: it is imported as typed "
                    "and our exports show it as plain text.",
                )
            )
    upn = row.values.get("upn")
    if new and upn and la_codes is not None and (warning := unrecognised_la_code(upn, la_codes)):
        warnings.append(RowError(row.number, parsed.heading("upn"), warning))
    return warnings


@dataclass
class PreviewRow:
    number: int
    raw: dict[str, str]
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # to check; they do not block
    existing: Pupil | None = None
    changes: list[str] = field(default_factory=list)  # our field names that would change

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.existing is None:
            return "create"
        return "update" if self.changes else "unchanged"

    @property
    def upn(self) -> str:
        return self.values.get("upn") or normalise_upn(self.raw.get("upn", ""))

    @property
    def name(self) -> str:
        first = self.values.get("preferred_first_name") or self.values.get(
            "legal_first_name", self.raw.get("legal_first_name", "")
        )
        last = self.values.get("preferred_last_name") or self.values.get(
            "legal_last_name", self.raw.get("legal_last_name", "")
        )
        return f"{first} {last}".strip()

    @property
    def year_label(self) -> str:
        year = self.values.get("year_group")
        return YearGroup(year).label if year is not None else self.raw.get("year_group", "")

    @property
    def change_labels(self) -> list[str]:
        return [str(Pupil._meta.get_field(f).verbose_name) for f in self.changes]

    @property
    def stays_archived(self) -> bool:
        return self.existing is not None and self.existing.left_on is not None


@dataclass
class ImportPreview:
    parsed: ParsedFile
    rows: list[PreviewRow]

    @cached_property
    def _by_action(self) -> dict[str, list[PreviewRow]]:
        actions = ("create", "update", "unchanged", "error")
        grouped: dict[str, list[PreviewRow]] = {action: [] for action in actions}
        for row in self.rows:
            grouped[row.action].append(row)
        return grouped

    @property
    def new_rows(self):
        return self._by_action["create"]

    @property
    def update_rows(self):
        return self._by_action["update"]

    @property
    def unchanged_rows(self):
        return self._by_action["unchanged"]

    @property
    def error_rows(self):
        return self._by_action["error"]

    @property
    def errors(self) -> list[RowError]:
        return [replace(error, pupil=row.name) for row in self.error_rows for error in row.errors]

    @property
    def warnings(self) -> list[RowError]:
        return [warning for row in self.rows if not row.errors for warning in row.warnings]

    @property
    def warning_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.warnings and not row.errors]

    @property
    def can_import(self) -> bool:
        return not self.error_rows


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def clean_row(number: int, cells: list[str], parsed: ParsedFile) -> PreviewRow:
    row = PreviewRow(
        number=number,
        raw={f: _cell(cells, i) for f, i in parsed.columns.items()},
    )
    for field_name, value in row.raw.items():
        try:
            row.values[field_name] = CLEANERS[field_name](value)
        except BadValue as error:
            row.errors.append(RowError(number, parsed.heading(field_name), str(error)))
    return row


def upns_in(parsed: ParsedFile) -> set[str]:
    """The well-formed UPNs of the file (to fetch the matching pupils in one query)."""
    index = parsed.columns["upn"]
    upns = set()
    for _, cells in parsed.rows:
        upn = normalise_upn(_cell(cells, index))
        try:
            validate_upn(upn)
        except ValidationError:
            continue
        upns.add(upn)
    return upns


def build_preview(parsed: ParsedFile, existing: dict[str, Pupil], la_codes=None) -> ImportPreview:
    """Every row validated and matched against ``existing`` (the school's pupils by UPN), with
    warnings against ``la_codes`` (the census's LA codes; None: not checked)."""
    rows = []
    first_row_of: dict[str, int] = {}
    for number, cells in parsed.rows:
        row = clean_row(number, cells, parsed)
        upn = row.values.get("upn")
        if upn in first_row_of:
            row.errors.append(
                RowError(
                    number,
                    parsed.heading("upn"),
                    f"UPN {upn} is also on row {first_row_of[upn]}: each pupil must appear once.",
                )
            )
        elif upn:
            first_row_of[upn] = number
        if not row.errors and upn in existing:
            row.existing = existing[upn]
            row.changes = [f for f, v in row.values.items() if getattr(row.existing, f) != v]
        if not row.errors:
            row.warnings = row_warnings(row, parsed, la_codes)
        rows.append(row)
    return ImportPreview(parsed=parsed, rows=rows)


def existing_pupils(school, upns) -> dict[str, Pupil]:
    """The school's pupils with these UPNs, in one query."""
    pupils = Pupil.objects.filter(school=school, upn__in=list(upns)).order_by()
    return {p.upn: p for p in pupils}


def preview_import(*, school, text: str) -> ImportPreview:
    parsed = parse_csv(text)
    existing = existing_pupils(school, upns_in(parsed))
    return build_preview(parsed, existing, LocalAuthorityCode.objects.recognised_codes())
