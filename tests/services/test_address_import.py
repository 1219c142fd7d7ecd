"""CSV import of addresses and участки: bad rows named, nothing half-imported, conflicts refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers.address_data import DISTRICTS_CSV, add_directory, fill_address_data
from workstation.models import DistrictRule, House, MedicalDistrict, RuleKind, Street
from workstation.services import district_command
from workstation.services.address_import import (
    RowError,
    import_addresses_csv,
    import_districts_csv,
    parse_houses,
)
from workstation.services.database import Database


def _count(session: Session, column: Any) -> int:
    return session.scalar(select(func.count(column))) or 0


def test_houses_cells_are_read_into_rules() -> None:
    assert parse_houses("") == [(RuleKind.ALL, None, None, None)]
    assert parse_houses("все") == [(RuleKind.ALL, None, None, None)]
    assert parse_houses("нечётные") == [(RuleKind.ODD, None, None, None)]
    assert parse_houses("четные 2-40") == [(RuleKind.EVEN, 2, 40, None)]
    assert parse_houses("нечет. с 51") == [(RuleKind.ODD, 51, None, None)]
    assert parse_houses("1–45") == [(RuleKind.RANGE, 1, 45, None)]
    assert parse_houses("до 20") == [(RuleKind.RANGE, None, 20, None)]
    assert parse_houses("12а; 14 к1, 16; д. 18, корп. 2") == [
        (RuleKind.EXACT, None, None, "12А"),
        (RuleKind.EXACT, None, None, "14 к1"),
        (RuleKind.EXACT, None, None, "16"),
        (RuleKind.EXACT, None, None, "18 к2"),
    ]
    for bad in ("45-1", "четные abc", "дом?"):
        with pytest.raises(ValueError):
            parse_houses(bad)


def test_addresses_are_imported_and_reimport_updates_in_place(database: Database) -> None:
    with database.session() as session:
        add_directory(session)
        text = (
            "населенный пункт;улица;тип;дом;широта;долгота\n"
            "hm;Ленина;;1;61,0001;69,0001\n"
            "Ханты-Мансийск;Ленина;улица;2А;61.0002;69.0002\n"
            "hm;Западный;мкр;;61.01;69.01\n"
        )
        report = import_addresses_csv(session, text)
        assert report.ok and report.imported == 3
        again = import_addresses_csv(session, text.replace("61,0001", "61,0009"))
        assert again.ok
        assert _count(session, Street.id) == 2 and _count(session, House.id) == 2
        first = session.scalars(select(House).where(House.label == "1")).one()
        assert first.lat == 61.0009
        micro = session.scalars(select(Street).where(Street.kind == "микрорайон")).one()
        assert (micro.name, micro.name_norm, micro.lat) == ("Западный", "ЗАПАДНЫЙ", 61.01)


def test_bad_address_rows_are_named_and_nothing_is_written(database: Database) -> None:
    with database.session() as session:
        add_directory(session)
        report = import_addresses_csv(
            session,
            "settlement,street,house,lat,lon\n"
            "hm,ул. Ленина,1,61.0,69.0\n"
            "nowhere,ул. Ленина,1,61.0,69.0\n"
            "hm,,1,61.0,69.0\n"
            "hm,ул. Ленина,абв,61.0,69.0\n"
            "hm,ул. Ленина,2,,\n"
            "hm,ул. Ленина,3,север,69.0\n"
            "hm,ул. Ленина,4,95,69.0\n"
            "hm,Ленина улица,1,61.0,69.0\n"
            "hm,пр-т Ленина,1,61.0,69.0\n",
        )
        assert not report.ok and report.imported == 0
        assert [error.line for error in report.errors] == [3, 4, 5, 6, 7, 8, 9]
        messages = [error.message for error in report.errors]
        assert "«nowhere» не найден" in messages[0]
        assert "не указана улица" in messages[1]
        assert "не распознан" in messages[2]
        assert "нет координат" in messages[3]
        assert "не число" in messages[4]
        assert "вне допустимых пределов" in messages[5]
        assert "уже указан в строке 2" in messages[6]
        assert str(report.errors[0]).startswith("строка 3: ")
        assert report.lines()[0] == "Файл не импортирован: ничего не записано."
        assert _count(session, Street.id) == 0 and _count(session, House.id) == 0


def test_a_missing_column_is_reported_on_the_header(database: Database) -> None:
    with database.session() as session:
        report = import_addresses_csv(session, "settlement,street,house\nhm,Ленина,1\n")
        assert report.errors == (RowError(1, "нет столбца «lat», «lon»"),)
        assert import_addresses_csv(session, "").errors[0].message.startswith("Файл пуст")


def test_bad_district_rows_are_named_and_nothing_is_written(database: Database) -> None:
    fill_address_data(database, districts=False)
    with database.session() as session:
        report = import_districts_csv(
            session,
            "учреждение,участок,тип участка,врач,улица,дома\n"
            "5001,91,терапевтический,Григорьева Т. Д.,Ленина,все\n"
            "9999,1,терапевтический,,Ленина,все\n"
            "5001,2,хирургический,,Ленина,все\n"
            "5001,,терапевтический,,Ленина,все\n"
            "5001,3,терапевтический,,Несуществующая,все\n"
            "5001,4,терапевтический,,Ленина,45-1\n"
            "5001,91,терапевтический,Другой Врач,Ленина,2\n"
            "5001,5,терапевтический,,Мира,все\n"
            "abc,5,терапевтический,,Ленина,все\n",
        )
        assert not report.ok and report.imported == 0
        assert [error.line for error in report.errors] == [3, 4, 5, 6, 7, 8, 10]
        messages = [error.message for error in report.errors]
        assert "IdLPU 9999 не найдено" in messages[0]
        assert "«хирургический» неизвестен" in messages[1]
        assert "не указан номер участка" in messages[2]
        assert "«Несуществующая» не найдена" in messages[3]
        assert "начало больше конца" in messages[4]
        assert "врач «Григорьева Т. Д.» (строка 2)" in messages[5]
        assert "ожидается IdLPU" in messages[6]
        assert _count(session, MedicalDistrict.id) == 0
        assert _count(session, DistrictRule.id) == 0


def test_conflicting_districts_of_one_kind_are_refused(database: Database) -> None:
    fill_address_data(database, districts=False)
    with database.session() as session:
        report = import_districts_csv(
            session,
            DISTRICTS_CSV
            + "5001,96,терапевтический,,,ул. Ленина,30-35\n"
            + "5001,97,терапевтический,,,ул. Ленина,12А\n"
            + "5001,98,терапевтический,,,пр-т Мира,все\n"
            # A pediatric district over the same houses is not a conflict.
            + "5001,7,педиатрический,,,ул. Ленина,30-35\n",
        )
        assert not report.ok and report.errors == ()
        assert len(report.conflicts) == 4
        text = "\n".join(report.conflicts)
        assert "ул. Ленина, нечётные дома 31–35: участок №92 и участок №96" in text
        assert "ул. Ленина, чётные дома 30–34: участок №92 и участок №96" in text
        assert "ул. Ленина, д. 12А: участок №92 и участок №97" in text
        assert "пр-т Мира, все дома: участок №93 и участок №98" in text
        # №7's range beats №6's «все»: precedence, not a conflict.
        assert "Педиатрический" not in text
        assert _count(session, MedicalDistrict.id) == 0


def test_import_replaces_an_institutions_districts(database: Database) -> None:
    ids = fill_address_data(database)
    with database.session() as session:
        before = _count(session, MedicalDistrict.id)
        report = import_districts_csv(
            session,
            "district,kind,street,houses\n91,терапевтический,Ленина,нечетные\n",
            institution_id=ids.polyclinic,
        )
        assert report.ok and report.imported == 1
        assert before > 1
        districts = session.scalars(select(MedicalDistrict)).all()
        assert [(d.number, d.kind) for d in districts] == [("91", "therapeutic")]
        # The участок kept its row (and id) and its doctor was cleared with the file's.
        assert _count(session, DistrictRule.id) == 1
        refused = import_districts_csv(
            session,
            "institution,district,kind,street\n5002,1,терапевтический,Ленина\n",
            institution_id=ids.polyclinic,
        )
        assert "строка другого учреждения" in refused.errors[0].message


def test_cli_import_reports_and_exit_codes(database: Database, tmp_path: Path) -> None:
    fill_address_data(database, districts=False)
    good = tmp_path / "districts.csv"
    good.write_text(DISTRICTS_CSV, encoding="utf-8")
    out = io.StringIO()
    assert district_command.run_import(database.url, good, out=out) == 0
    assert out.getvalue().startswith("Импортировано строк: 12.")
    bad = tmp_path / "bad.csv"
    bad.write_text("district,kind,street\n1,терапевтический,Нет\n", encoding="utf-8")
    assert district_command.run_import(database.url, bad, institution=5001) == 1
    assert district_command.run_import(database.url, bad, institution=777) == 1
    addresses = tmp_path / "addresses.csv"
    addresses.write_text("settlement,street,house,lat,lon\nsg,Мира,1,61.2,73.4\n", "utf-8")
    assert district_command.run_import(database.url, addresses, kind="addresses", out=out) == 0
    assert district_command.run_check(database.url, out=out) == 0
    found = io.StringIO()
    assert (
        district_command.run_find(
            database.url, institution=5001, street="Ленина", house="5", out=found
        )
        == 0
    )
    assert "Ваш участок: Участок №91, Терапевтический" in found.getvalue()
