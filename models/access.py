"""API keys, their cost buckets and stored idempotent responses (api.md §7.1, §7.3, §7.4).

Only a SHA-256 hash of a key is stored: keys are 256-bit random secrets, so a slow password hash
would add nothing but latency to every request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE20, Base, code

KEY_NAME_LENGTH = 64
ROLES = ("ADMIN", "MANAGER", "SALESPERSON", "READ_ONLY")


class ApiKey(Base):
    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint("role IN ('ADMIN', 'MANAGER', 'SALESPERSON', 'READ_ONLY')", name="role_known"),
        CheckConstraint(
            "(role = 'SALESPERSON') = (salesperson_code IS NOT NULL)", name="salesperson_iff_role"
        ),
        CheckConstraint("name <> ''", name="name_not_blank"),
    )

    name: Mapped[str] = mapped_column(String(KEY_NAME_LENGTH), primary_key=True)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    salesperson_code: Mapped[str | None] = mapped_column(
        code(CODE20), ForeignKey("salesperson.code"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CostBucket(Base):
    """A key's leaky bucket: ``available`` points at ``updated_at`` (refilled lazily when read)."""

    __tablename__ = "cost_bucket"

    key_name: Mapped[str] = mapped_column(
        String(KEY_NAME_LENGTH), ForeignKey("api_key.name", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdempotentResponse(Base):
    """The stored response of a mutation POST with an ``Idempotency-Key`` (kept 24 h)."""

    __tablename__ = "idempotent_response"

    key_name: Mapped[str] = mapped_column(String(KEY_NAME_LENGTH), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
