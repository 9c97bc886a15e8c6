"""Facilitator and admin accounts, and the audit log of who changed what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..vocabulary import ROLES
from .base import Base, one_of, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique whatever the case, by the index below: "Lan" and "lan" are one account.
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="facilitator")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised to end every session signed in before (see ``staff_sessions``).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A password made up by the app was shown to someone else (an admin, a terminal): its owner
    # chooses their own at the next sign-in before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def password(self) -> str:
        raise AttributeError("password is write-only")

    @password.setter
    def password(self, value: str) -> None:
        self.password_hash = generate_password_hash(value)

    def check_password(self, value: str) -> bool:
        return check_password_hash(self.password_hash, value)

    def get_id(self) -> str:
        """The id Flask-Login keeps in the cookie: with the session version it was signed in at."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Sign this account out everywhere, at each session's next request."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


Index("uq_users_lower_username", func.lower(User.username), unique=True)


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(120))
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]

    user: Mapped[User | None] = relationship()
