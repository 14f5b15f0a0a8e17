"""Turn the bytes of an uploaded question file into text, or say plainly why they are not text."""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

from quiz.bank.deck_yaml import BankError

#: Question files are text; anything this big is a mistake (or an attack on the parsers).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

_SAVE_AS_TEXT = "export or save the questions as a plain-text file (UTF-8) and upload that"

# Signatures of the binary files teachers most often pick by mistake, with what to say.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (.doc, .xls or .ppt)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Zip is the container of many formats; the extension says which one the teacher has.
_ZIP_KINDS = {
    ".apkg": "an Anki package (.apkg), which this service can export but not import",
    ".colpkg": "an Anki collection (.colpkg)",
    ".docx": "a Word document (.docx)",
    ".xlsx": "an Excel workbook (.xlsx): save it as 'CSV UTF-8' and upload that",
    ".pptx": "a PowerPoint presentation (.pptx)",
    ".odt": "an OpenDocument text file (.odt)",
    ".ods": "an OpenDocument spreadsheet (.ods): save it as CSV (UTF-8) and upload that",
    ".mbz": "a Moodle backup (.mbz): in Moodle, export the question bank as GIFT instead",
}
# C0 controls never found in text; tab, line feed, vertical tab, form feed and carriage
# return are (vertical tabs come from text copied out of Word and PowerPoint).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_upload(data: bytes, filename: str) -> str | list[BankError]:
    """The text of an uploaded file with ``\\n`` line ends, or why it cannot be read.

    Accepts UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark,
    which is what spreadsheet programs save as "Unicode text". Refuses empty files,
    binary files (zip containers such as .apkg or .docx, PDFs, images…) and any other
    encoding, each with a message that says what to do instead.
    """

    def refuse(message: str, line: int | None = None) -> list[BankError]:
        return [BankError(filename, line, message)]

    if not data:
        return refuse("the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        return refuse(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB: split the questions into smaller files"
        )
    binary_kind = _binary_kind(data, filename)
    if binary_kind is not None:
        return refuse(f"this is {binary_kind}, not a text file of questions; {_SAVE_AS_TEXT}")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return refuse("the file is UTF-32 text; save the file as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the codec reads the byte-order mark and drops it
        except UnicodeDecodeError:
            return refuse("the file starts like UTF-16 text but is not; save the file as UTF-8")
    else:
        if b"\x00" in data:
            return refuse(_nul_message(data))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return refuse(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); "
                "save the file as UTF-8 (in Excel: 'CSV UTF-8'; in Notepad: Encoding UTF-8)",
                line,
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        return refuse(
            f"the file contains the control character U+{ord(control.group()):04X}, "
            f"so it does not look like text; {_SAVE_AS_TEXT}",
            line,
        )
    if not text.strip():
        return refuse("the file is empty (it holds only blank lines)")
    return text


def _binary_kind(data: bytes, filename: str) -> str | None:
    if data.startswith(_ZIP_SIGNATURES):
        suffix = PurePath(filename).suffix.lower()
        return _ZIP_KINDS.get(suffix, "a zip archive")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[8:12] in (b"WEBP", b"WAVE", b"AVI ") and data.startswith(b"RIFF"):
        return "an image or media file"
    return None


def _nul_message(data: bytes) -> str:
    # UTF-16 without a byte-order mark has a zero in every other byte of ASCII text.
    sample = data[:200]
    if sample.count(b"\x00") * 3 >= len(sample):
        return "the file looks like UTF-16 text without a byte-order mark; save the file as UTF-8"
    return f"the file contains NUL bytes, so it is not a text file; {_SAVE_AS_TEXT}"
