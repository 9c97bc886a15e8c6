"""The bank as a zip or YAML files through the browser: unpacked within limits, all or nothing."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..bank import (
    N_,
    BankError,
    read_bank_files,
    write_bank,
)
from .sync import (
    ImportReport,
    export_bank,
    import_bank,
)

MAX_UPLOAD_FILES = 100
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def bank_zip(files: Mapping[str, str]) -> bytes:
    """The bank files as a zip whose bytes depend only on their text, so exports compare equal."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


class UploadRefused(Exception):
    """An upload that cannot even be read as bank files; every problem found is in ``errors``."""

    def __init__(self, errors: list[BankError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _decode(name: str, data: bytes, errors: list[BankError]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(BankError(name, 0, N_("the file is not UTF-8 text")))
        return None


def _skipped(path: str) -> bool:
    """Folders and the hidden files some systems add to zips (``__MACOSX``, ``._name``)."""
    parts = path.split("/")
    return path.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _unzip(
    name: str, data: bytes, files: dict[str, str], errors: list[BankError], budget: list[int]
) -> None:
    """Add the ``.yaml`` files of a zip, wherever they sit in it; guard against zip bombs.

    ``budget`` is the number of bytes still allowed, shared by all files of one upload.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        errors.append(BankError(name, 0, N_("not a valid zip file")))
        return
    with archive:
        members = [i for i in archive.infolist() if not _skipped(i.filename)]
        members = [i for i in members if i.filename.endswith(".yaml")]
        if len(archive.infolist()) > MAX_UPLOAD_FILES * 2 or len(members) > MAX_UPLOAD_FILES:
            errors.append(
                BankError(
                    name,
                    0,
                    N_("the zip holds more than %(count)s files"),
                    {"count": MAX_UPLOAD_FILES},
                )
            )
            return
        if sum(i.file_size for i in members) > budget[0]:
            errors.append(_too_big(name))
            return
        for info in members:
            inner = info.filename.rsplit("/", 1)[-1]
            if info.flag_bits & 0x1:
                errors.append(BankError(inner, 0, N_("the file is encrypted")))
                continue
            try:
                with archive.open(info) as member:
                    content = member.read(budget[0] + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                errors.append(BankError(inner, 0, N_("the file is damaged in the zip")))
                continue
            if len(content) > budget[0]:
                errors.append(_too_big(name))
                return
            budget[0] -= len(content)
            _add(inner, _decode(inner, content, errors), files, errors)


def _too_many(name: str) -> BankError:
    """More files than any bank has, whether in zips, as plain parts, or both together."""
    return BankError(
        name, 0, N_("the upload holds more than %(count)s files"), {"count": MAX_UPLOAD_FILES}
    )


def _too_big(name: str) -> BankError:
    return BankError(
        name,
        0,
        N_("unpacked, the upload would be larger than %(size)s MB"),
        {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


def _add(name: str, text: str | None, files: dict[str, str], errors: list[BankError]) -> None:
    if text is None:
        return
    if name in files:
        errors.append(
            BankError(name, 0, N_("the upload holds two files named %(name)s"), {"name": name})
        )
        return
    files[name] = text


def unpack_upload(uploads: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Bank files from uploaded ``.yaml`` files and ``.zip`` archives, as {name: text}.

    Raises ``UploadRefused`` with every problem: a wrong kind of file, text that is not UTF-8,
    too many files, or more unpacked bytes than ``MAX_UPLOAD_BYTES``.
    """
    files: dict[str, str] = {}
    errors: list[BankError] = []
    budget = [MAX_UPLOAD_BYTES]
    uploads = list(uploads)
    plain = [name for name, _data in uploads if not name.lower().endswith(".zip")]
    if len(plain) > MAX_UPLOAD_FILES:
        raise UploadRefused([_too_many("-")])
    for raw_name, data in uploads:
        name = raw_name.replace("\\", "/").rsplit("/", 1)[-1]
        if name.lower().endswith(".zip"):
            _unzip(name, data, files, errors, budget)
        elif name.endswith(".yaml"):
            if len(data) > budget[0]:
                errors.append(_too_big(name))
                continue
            budget[0] -= len(data)
            _add(name, _decode(name, data, errors), files, errors)
        else:
            errors.append(
                BankError(name, 0, N_("only .yaml files and .zip archives can be imported"))
            )
    if not files and not errors:
        errors.append(BankError("-", 0, N_("the upload holds no .yaml file")))
    if len(files) > MAX_UPLOAD_FILES:
        errors.append(_too_many("-"))
    if errors:
        raise UploadRefused(errors)
    return files


@dataclass
class BankChange:
    """What an import did: the import report, and the files whose canonical text changed."""

    report: ImportReport
    old_files: dict[str, str]
    new_files: dict[str, str]


def import_bank_files(session: Session, uploaded: Mapping[str, str], *, whole: bool) -> BankChange:
    """Import uploaded files, all or nothing; raise ``BankInvalid`` with every error.

    Unless ``whole`` is set, the files replace only their namesakes in the current bank, and
    are checked together with the rest of it. The caller commits or rolls back.
    """
    before = write_bank(export_bank(session))
    files = dict(uploaded) if whole else {**before, **uploaded}
    bank = read_bank_files(files)
    report = import_bank(session, bank)
    session.expire_all()
    after = write_bank(export_bank(session))
    changed = sorted(n for n in {*before, *after} if before.get(n) != after.get(n))
    return BankChange(
        report,
        {n: before[n] for n in changed if n in before},
        {n: after[n] for n in changed if n in after},
    )
