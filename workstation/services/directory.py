"""Read queries of the institution directory for the UI: settlements → institutions → doctors.

Every function takes a session and returns frozen dataclasses, never ORM objects, so the results
can cross from the database worker thread to the GUI thread safely. Each statement is served by an
index of the models (``tests/services/test_directory.py`` checks the SQLite query plans).

Lists are sorted in Python by the normalised name (upper case, ё→Е) rather than by ``ORDER BY``:
SQLite and PostgreSQL collate Cyrillic differently, and «Берёзово» must sort next to «Березово».
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from workstation.models import Department, Doctor, Institution, Settlement, Specialty
from workstation.models.text import normalise_name

NO_DEPARTMENT_NAME = "Без отделения"
"""Name of the pseudo-department that gathers an institution's doctors with no department."""


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """A settlement for the selector, with the number of its active institutions."""

    id: int
    name: str
    kind: str
    municipal_district: str
    institution_count: int


@dataclass(frozen=True, slots=True)
class InstitutionRow:
    """An active institution of a settlement; its subdivisions in the same settlement nested."""

    id: int
    hub_id: int
    short_name: str
    full_name: str
    type: str
    address: str
    registry_phones: str
    working_hours: str
    site: str
    parent_id: int | None
    # Set when the parent is not shown above this row (it is in another settlement or inactive),
    # so the operator still sees whose subdivision this is.
    parent_short_name: str | None
    department_count: int
    doctor_count: int
    subdivisions: tuple[InstitutionRow, ...] = ()

    def walk(self) -> Iterable[InstitutionRow]:
        """This institution and all its nested subdivisions, depth first."""
        yield self
        for child in self.subdivisions:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """A department of an institution; ``id`` is ``None`` for «Без отделения»."""

    id: int | None
    institution_id: int
    name: str
    address: str
    doctor_count: int
    specialty_count: int

    @property
    def is_pseudo(self) -> bool:
        """True for the pseudo-department of doctors without a department."""
        return self.id is None


@dataclass(frozen=True, slots=True)
class SpecialtyRow:
    """A specialty having doctors in one department (``department_id`` may be ``None``)."""

    id: int
    institution_id: int
    department_id: int | None
    name: str
    federal_code: str | None
    doctor_count: int


@dataclass(frozen=True, slots=True)
class DoctorRow:
    """A bookable doctor."""

    id: int
    hub_id: str
    institution_id: int
    department_id: int | None
    specialty_id: int
    full_name: str
    area_number: int | None
    comment: str


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key of a Russian name: ё sorts as е, case ignored, ties broken by the exact text."""
    return normalise_name(name), name


def list_settlements(session: Session) -> list[SettlementRow]:
    """All settlements of the region with their active institution counts, by name."""
    # A whole-table listing: a correlated count per settlement seeks
    # ix_institution_settlement_short_name instead of scanning institutions.
    institution_count = (
        select(func.count(Institution.id))
        .where(Institution.settlement_id == Settlement.id, Institution.is_active.is_(True))
        .correlate(Settlement)
        .scalar_subquery()
    )
    statement = select(
        Settlement.id,
        Settlement.name,
        Settlement.kind,
        Settlement.municipal_district,
        institution_count,
    )
    rows = [
        SettlementRow(
            id=row[0],
            name=row[1],
            kind=row[2],
            municipal_district=row[3],
            institution_count=int(row[4] or 0),
        )
        for row in session.execute(statement)
    ]
    rows.sort(key=lambda row: name_sort_key(row.name))
    return rows


def list_institutions(session: Session, settlement_id: int) -> list[InstitutionRow]:
    """Active institutions of a settlement: top-level ones, subdivisions nested under parents.

    A subdivision whose parent is shown in the same settlement appears only in the parent's
    ``subdivisions``; one whose parent is elsewhere (or inactive) is top-level and carries
    ``parent_short_name``.
    """
    parent = aliased(Institution)
    # Correlated counts: each seeks the (institution_id, …) unique index of its table.
    department_count = (
        select(func.count(Department.id))
        .where(Department.institution_id == Institution.id)
        .correlate(Institution)
        .scalar_subquery()
    )
    doctor_count = (
        select(func.count(Doctor.id))
        .where(Doctor.institution_id == Institution.id)
        .correlate(Institution)
        .scalar_subquery()
    )
    statement = (
        select(Institution, parent.short_name, department_count, doctor_count)
        .outerjoin(parent, parent.id == Institution.parent_id)
        .where(Institution.settlement_id == settlement_id, Institution.is_active.is_(True))
    )
    flat: dict[int, InstitutionRow] = {}
    for institution, parent_name, departments, doctors in session.execute(statement):
        flat[institution.id] = InstitutionRow(
            id=institution.id,
            hub_id=institution.hub_id,
            short_name=institution.short_name,
            full_name=institution.full_name,
            type=institution.type,
            address=institution.address,
            registry_phones=institution.registry_phones,
            working_hours=institution.working_hours,
            site=institution.site,
            parent_id=institution.parent_id,
            parent_short_name=parent_name,
            department_count=int(departments or 0),
            doctor_count=int(doctors or 0),
        )
    return nest_institutions(flat.values())


def nest_institutions(rows: Iterable[InstitutionRow]) -> list[InstitutionRow]:
    """Nest subdivisions under parents present in ``rows``; the rest are top-level, sorted."""
    by_id = {row.id: row for row in rows}
    children: dict[int, list[InstitutionRow]] = {}
    roots: list[InstitutionRow] = []
    for row in by_id.values():
        if row.parent_id is not None and row.parent_id in by_id and row.parent_id != row.id:
            children.setdefault(row.parent_id, []).append(row)
        else:
            roots.append(row)
    placed: set[int] = set()

    def build(row: InstitutionRow) -> InstitutionRow:
        placed.add(row.id)
        kids = sorted(children.get(row.id, []), key=lambda kid: name_sort_key(kid.short_name))
        # The parent is shown right above, so its name is not repeated on the subdivision.
        nested = tuple(build(kid) for kid in kids if kid.id not in placed)
        shown_parent = None if row.parent_id in by_id else row.parent_short_name
        return replace(row, subdivisions=nested, parent_short_name=shown_parent)

    result = [build(row) for row in sorted(roots, key=lambda r: name_sort_key(r.short_name))]
    # Rows caught in a parent cycle (bad data) are unreachable from any root: show them
    # top-level rather than lose them.
    for row in sorted(by_id.values(), key=lambda r: name_sort_key(r.short_name)):
        if row.id not in placed:
            result.append(build(replace(row, parent_id=None)))
    return result


def list_departments(session: Session, institution_id: int) -> list[DepartmentRow]:
    """Departments of an institution, by name; «Без отделения» last if it has doctors."""
    doctor_count = (
        select(func.count(Doctor.id))
        .where(Doctor.department_id == Department.id)
        .correlate(Department)
        .scalar_subquery()
    )
    specialty_count = (
        select(func.count(func.distinct(Doctor.specialty_id)))
        .where(Doctor.department_id == Department.id)
        .correlate(Department)
        .scalar_subquery()
    )
    statement = select(
        Department.id, Department.name, Department.address, doctor_count, specialty_count
    ).where(Department.institution_id == institution_id)
    rows = [
        DepartmentRow(
            id=row[0],
            institution_id=institution_id,
            name=row[1],
            address=row[2],
            doctor_count=int(row[3] or 0),
            specialty_count=int(row[4] or 0),
        )
        for row in session.execute(statement)
    ]
    rows.sort(key=lambda row: name_sort_key(row.name))
    orphans = session.execute(
        select(func.count(Doctor.id), func.count(func.distinct(Doctor.specialty_id))).where(
            Doctor.institution_id == institution_id, Doctor.department_id.is_(None)
        )
    ).one()
    if orphans[0]:
        rows.append(
            DepartmentRow(
                id=None,
                institution_id=institution_id,
                name=NO_DEPARTMENT_NAME,
                address="",
                doctor_count=int(orphans[0]),
                specialty_count=int(orphans[1] or 0),
            )
        )
    return rows


def _department_filter(
    department_id: int | None, institution_id: int | None
) -> list[ColumnElement[bool]]:
    if department_id is not None:
        conditions = [Doctor.department_id == department_id]
        if institution_id is not None:
            conditions.append(Doctor.institution_id == institution_id)
        return conditions
    if institution_id is None:
        raise ValueError("«Без отделения» needs the institution: pass institution_id")
    return [Doctor.institution_id == institution_id, Doctor.department_id.is_(None)]


def list_specialties(
    session: Session, department_id: int | None, *, institution_id: int | None = None
) -> list[SpecialtyRow]:
    """Specialties having doctors in a department, with doctor counts, by name.

    ``department_id=None`` means «Без отделения» and then ``institution_id`` is required.
    """
    statement = (
        select(
            Specialty.id,
            Specialty.institution_id,
            Specialty.name,
            Specialty.federal_code,
            func.count(Doctor.id),
        )
        .join(Specialty, Specialty.id == Doctor.specialty_id)
        .where(*_department_filter(department_id, institution_id))
        .group_by(Specialty.id, Specialty.institution_id, Specialty.name, Specialty.federal_code)
    )
    rows = [
        SpecialtyRow(
            id=row[0],
            institution_id=row[1],
            department_id=department_id,
            name=row[2],
            federal_code=row[3],
            doctor_count=int(row[4]),
        )
        for row in session.execute(statement)
    ]
    rows.sort(key=lambda row: name_sort_key(row.name))
    return rows


def list_doctors(
    session: Session, department_id: int | None, specialty_id: int
) -> list[DoctorRow]:
    """Doctors of one specialty in one department (``None``: «Без отделения»), by full name."""
    # A specialty belongs to one institution, so (department_id, specialty_id) is enough even
    # for the pseudo-department; both forms seek ix_doctor_department_specialty.
    department_condition = (
        Doctor.department_id.is_(None)
        if department_id is None
        else Doctor.department_id == department_id
    )
    statement = select(Doctor).where(department_condition, Doctor.specialty_id == specialty_id)
    rows = [
        DoctorRow(
            id=doctor.id,
            hub_id=doctor.hub_id,
            institution_id=doctor.institution_id,
            department_id=doctor.department_id,
            specialty_id=doctor.specialty_id,
            full_name=doctor.full_name,
            area_number=doctor.area_number,
            comment=doctor.comment,
        )
        for doctor in session.scalars(statement)
    ]
    rows.sort(key=lambda row: name_sort_key(row.full_name))
    return rows
