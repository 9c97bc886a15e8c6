"""The models, one module per concern; import them from here."""

from ..vocabulary import MODES, PHASES, QUESTION_TYPES, ROLES, ROUNDS, STATUSES
from .accounts import AuditEntry, User
from .base import Base, Text, utcnow
from .content import (
    Choice,
    Fact,
    Question,
    QuestionRevision,
    Source,
    Topic,
    question_sources,
)
from .quiz import Answer, AnswerChoice, Attempt, AttemptQuestion
from .workshops import Workshop, WorkshopQuestion

__all__ = [
    "MODES",
    "PHASES",
    "QUESTION_TYPES",
    "ROLES",
    "ROUNDS",
    "STATUSES",
    "Answer",
    "AnswerChoice",
    "Attempt",
    "AttemptQuestion",
    "AuditEntry",
    "Base",
    "Choice",
    "Fact",
    "Question",
    "QuestionRevision",
    "Source",
    "Text",
    "Topic",
    "User",
    "Workshop",
    "WorkshopQuestion",
    "question_sources",
    "utcnow",
]
