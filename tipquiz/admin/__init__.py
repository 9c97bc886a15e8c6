"""Admins: the question bank (topics, questions, sources, import and export), the accounts and
the audit log.

Views stay thin: checking is ``bank``'s, saving and the revision rule are ``bank_store``'s,
account rules are ``accounts``' and the log is ``audit``'s. Every change is committed together
with its audit entry, or not at all.
"""

from . import audit_log, bank_files, questions, sources, statistics, topics, users
from .blueprint import bp

# The route modules are imported for the routes they hang on ``bp``.
__all__ = ["audit_log", "bank_files", "bp", "questions", "sources", "statistics", "topics", "users"]
