"""Moving a checked ``Bank`` into the database and back out, without breaking stored answers.

Import matches everything by its stable key, so it can be run again and again. A question whose
type, choices or correct answers change gets a new revision; answers already given stay with the
revision they were graded against. A question that leaves the files is archived if anyone has
answered it, and only deleted if nobody has.
"""

from __future__ import annotations

from .edits import (
    bank_errors,
    bank_with_question,
    bank_with_source,
    bank_with_topic,
    next_question_position,
    remove_question,
    save_question,
    save_source,
    save_topic,
    source_entry,
    topic_entry,
)
from .search import (
    VIETNAMESE_SHARE,
    QuestionFilter,
    QuestionRow,
    find_questions,
    fold,
    missing_languages,
    question_texts,
    status_counts,
    written_in_vietnamese,
)
from .sync import (
    ImportReport,
    apply_question,
    export_bank,
    import_bank,
    question_entry,
    question_in_use,
    revision_signature,
)
from .upload import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    ZIP_DATE,
    BankChange,
    UploadRefused,
    bank_zip,
    import_bank_files,
    unpack_upload,
)
from .usage import (
    Citations,
    RevisionStats,
    answer_counts,
    citation_counts,
    revision_statistics,
    source_citations,
    topic_question_counts,
)

__all__ = [
    "BankChange",
    "Citations",
    "ImportReport",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_FILES",
    "QuestionFilter",
    "QuestionRow",
    "RevisionStats",
    "UploadRefused",
    "VIETNAMESE_SHARE",
    "ZIP_DATE",
    "answer_counts",
    "apply_question",
    "bank_errors",
    "bank_with_question",
    "bank_with_source",
    "bank_with_topic",
    "bank_zip",
    "citation_counts",
    "export_bank",
    "find_questions",
    "fold",
    "import_bank",
    "import_bank_files",
    "missing_languages",
    "next_question_position",
    "question_entry",
    "question_in_use",
    "question_texts",
    "remove_question",
    "revision_signature",
    "revision_statistics",
    "save_question",
    "save_source",
    "save_topic",
    "source_citations",
    "source_entry",
    "status_counts",
    "topic_entry",
    "topic_question_counts",
    "unpack_upload",
    "written_in_vietnamese",
]
