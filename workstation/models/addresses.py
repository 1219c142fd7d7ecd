"""The address registry (streets and houses) and the участки of institutions that serve them.

«Поиск участка» answers «which участок of this institution serves this house»: a house belongs to
an участок through the rules of that участок (a whole street, one side of it, a range of numbers or
an explicit house). Rules are stored as data, one row each, and evaluated in memory by
``services.districts`` (an index per institution), never by SQL per keystroke.
"""

from __future__ import annotations

import enum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workstation.models.base import Base, search_text


class Street(Base):
    """A street (or микрорайон, проспект, переулок, …) of a settlement.

    ``name`` is the name without its type («Ленина»), ``kind`` the type word («улица»), and
    ``name_norm`` the name as ``services.addresses.normalise_street`` folds it («ЛЕНИНА»).
    """

    __tablename__ = "street"
    __table_args__ = (
        # Two streets may share a name when their types differ (ул. Мира and пр-т Мира).
        UniqueConstraint("settlement_id", "name_norm", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(search_text(200))
    kind: Mapped[str] = mapped_column(String(32), default="улица")
    # The street's middle: where a house of a street with no known house is shown.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class House(Base):
    """A house of the registry with its coordinates.

    ``label`` is the canonical house number («12А к1 стр. 2»), the key of exact district rules.
    """

    __tablename__ = "house"
    __table_args__ = (
        UniqueConstraint("street_id", "label"),
        Index("ix_house_street_number", "street_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    letter: Mapped[str] = mapped_column(String(4), default="")
    korpus: Mapped[str] = mapped_column(String(8), default="")
    stroenie: Mapped[str] = mapped_column(String(8), default="")
    label: Mapped[str] = mapped_column(String(40))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class DistrictKind(enum.StrEnum):
    """The type of an участок; stored as its value (new types need no migration)."""

    THERAPEUTIC = "therapeutic"
    PEDIATRIC = "pediatric"
    GENERAL_PRACTICE = "general_practice"
    GYNECOLOGICAL = "gynecological"
    DENTAL = "dental"
    FELDSHER = "feldsher"


class MedicalDistrict(Base):
    """An участок of an institution: its number, type and doctor.

    Named apart from ``hub_cache.District``, which is a district of the region as the hub lists it.
    """

    __tablename__ = "medical_district"
    __table_args__ = (UniqueConstraint("institution_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    # A string: numbers like «91», «12а» or «ВОП-3» are all in use.
    number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    doctor_name: Mapped[str] = mapped_column(String(200), default="")
    # «врач-терапевт участковый»: shown after the name, as the manual's result does.
    doctor_post: Mapped[str] = mapped_column(String(200), default="")
    # Set when the doctor is one of the institution's bookable doctors.
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id", ondelete="SET NULL"))


class RuleKind(enum.StrEnum):
    """Which houses of a street a rule gives to its участок."""

    ALL = "all"  # every house of the street
    ODD = "odd"  # odd numbers, optionally between from_number and to_number
    EVEN = "even"  # even numbers, optionally between from_number and to_number
    RANGE = "range"  # both sides, from_number to to_number (an open end: to the street's end)
    EXACT = "exact"  # one house, named by house_label («12А», «24 к2»)


class DistrictRule(Base):
    """One rule of an участок: which houses of one street it serves."""

    __tablename__ = "district_rule"
    __table_args__ = (
        Index("ix_district_rule_district", "district_id"),
        Index("ix_district_rule_street", "street_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("medical_district.id", ondelete="CASCADE"))
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    from_number: Mapped[int | None] = mapped_column(Integer)
    to_number: Mapped[int | None] = mapped_column(Integer)
    house_label: Mapped[str | None] = mapped_column(String(40))
