"""Contact: a company or a person (domain.md §1.3)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE20, TEXT30, TEXT80, TEXT100, Base, code, enum_column
from models.enums import ContactType


class Contact(Base):
    """A contact. A company's ``company_no`` is its own ``no``; a person's is its company or NULL."""

    __tablename__ = "contact"
    __table_args__ = (
        CheckConstraint("no <> '' AND no = upper(no)", name="no_upper_not_blank"),
        CheckConstraint(
            "(type = 'COMPANY' AND company_no = no)"
            " OR (type = 'PERSON' AND (company_no IS NULL OR company_no <> no))",
            name="company_no_by_type",
        ),
        Index("ix_contact_company_no", "company_no", "no"),
        Index("ix_contact_salesperson_code", "salesperson_code"),
        Index("ix_contact_name", "name", "no"),
        Index("ix_contact_type", "type", "no"),
    )

    no: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    type: Mapped[ContactType] = mapped_column(enum_column(ContactType, "contact_type"))
    name: Mapped[str] = mapped_column(String(TEXT100), default="")
    company_no: Mapped[str | None] = mapped_column(
        code(CODE20), ForeignKey("contact.no", deferrable=True, initially="DEFERRED")
    )
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
    email: Mapped[str] = mapped_column(String(TEXT80), default="")
    phone_no: Mapped[str] = mapped_column(String(TEXT30), default="")
