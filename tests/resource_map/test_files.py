"""Import (XLSX and CSV, preview, all-or-nothing) and export (round trip) of the map."""
from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from lti_tool.core.reference import Organization
from lti_tool.resource_map import services
from lti_tool.resource_map.exports import export_year, year_rows
from lti_tool.resource_map.import_files import read_upload
from lti_tool.resource_map.imports import run_import
from lti_tool.resource_map.models import Offering
from tests.resource_map.conftest import build_map


def _canonical(rows: dict) -> dict:
    """Rows per sheet as sorted tuples (order of rows is not part of the map)."""
    return {k: sorted(tuple("" if v is None else str(v) for v in r) for r in v) for k, v in rows.items()}


def test_export_title_and_sheets(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    wb = load_workbook(io.BytesIO(export_year(rm, net, m["year"])))
    assert wb.properties.title == "МРКМП на 2025/2026 учебный год"
    assert wb.sheetnames == ["Организации", "Тьюторы", "Кластеры", "Стажировочные площадки", "Предложения", "Матрица"]
    assert wb["Предложения"]["A1"].value.startswith("МРКМП на 2025/2026 учебный год")
    matrix = {row[0]: row[-1] for row in wb["Матрица"].iter_rows(min_row=3, values_only=True)}
    assert matrix["Развитие речи"] == 0 and matrix["Экологическое воспитание"] == 2


def test_export_import_round_trip_into_empty_network(rm, auth):
    net, empty = auth.network(), auth.network()
    m = build_map(rm, net)
    data = export_year(rm, net, m["year"])
    year = services.save_year(rm, empty, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31))
    result = run_import(rm, empty, year.id, read_upload("map.xlsx", data))
    assert result.ok, result.errors
    rm.commit()
    assert _canonical(year_rows(rm, empty, year)) == _canonical(year_rows(rm, net, m["year"]))
    # Importing the same file again matches every row: nothing new.
    again = run_import(rm, empty, year.id, read_upload("map.xlsx", data))
    assert again.ok and sum(again.created.values()) == 0
    rm.rollback()


def test_round_trip_into_empty_year_of_same_network(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    data = export_year(rm, net, m["year"])
    year = services.save_year(rm, net, title="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31))
    result = run_import(rm, net, year.id, read_upload("map.xlsx", data))
    assert result.ok, result.errors
    assert result.created["offerings"] == 4 and result.created.get("organizations", 0) == 0
    assert _canonical(year_rows(rm, net, year))["offerings"] == _canonical(year_rows(rm, net, m["year"]))["offerings"]


def _csv(text: str) -> bytes:
    return text.encode("utf-8-sig")


def test_bad_csv_reports_rows_and_imports_nothing(app, client, auth, db_session):
    net = auth.network()
    with app.test_request_context("/"):
        from lti_tool.web.extensions import db

        build_map(db.session, net)
    auth.login("methodist", network_id=net)
    body = ("Тема;Форма;Тип поставщика;Поставщик;Email поставщика;Название;Вместимость\n"
            "Развитие речи;Тьюториал;Организация;МАДОУ № 8 г. Томска;;Сказки;12\n"
            "Развитие речи;Танец;Организация;МАДОУ № 8 г. Томска;;Плохая форма;\n"
            "Развитие речи;Консультация;Организация;Детский сад № 999;;Нет такого;\n"
            "Развитие речи;Консультация;Тьютор;Смирнова Анна Петровна;;Без ошибок;много\n")
    before = db_session.scalar(sa.select(sa.func.count(Offering.id)))
    response = client.post("/resource-map/import", data={"file": (io.BytesIO(_csv(body)), "map.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Лист «Предложения», строка 3: Неизвестная форма поддержки «Танец»." in html
    assert "строка 4: Организация «Детский сад № 999» не найдена." in html
    assert "строка 5: «много» — не число." in html
    assert "строка 2:" not in html
    assert 'action="/resource-map/import/' not in html  # no confirm button
    assert db_session.scalar(sa.select(sa.func.count(Offering.id))) == before


def test_good_xlsx_preview_then_confirm(app, client, auth, db_session):
    net = auth.network()
    with app.test_request_context("/"):
        from lti_tool.web.extensions import db

        build_map(db.session, net)
    auth.login("methodist", network_id=net)
    wb = Workbook()
    ws = wb.active
    ws.title = "Организации"
    ws.append(["Название", "Тип", "Номер", "Муниципалитет", "Адрес", "Широта", "Долгота"])
    ws.append(["МБДОУ № 11 с. Корнилово", "Детский сад", "11", "Томский район", "ул. Школьная, 5", 56.52, 85.1])
    ws2 = wb.create_sheet("Тьюторы")
    ws2.append(["ФИО", "Email", "Организация", "Должность", "Тьютор", "Стаж, лет"])
    ws2.append(["Кузнецова Ирина Юрьевна", "irina.kuznetsova@dou11.example.ru", "МБДОУ № 11 с. Корнилово",
                "старший воспитатель", "да", 20])
    ws3 = wb.create_sheet("Предложения")
    ws3.append(["Тема", "Форма", "Тип поставщика", "Поставщик", "Email поставщика", "Название", "Начало"])
    ws3.append(["Музейная педагогика", "Мастер-класс", "Тьютор", "Кузнецова Ирина Юрьевна",
                "irina.kuznetsova@dou11.example.ru", "Мини-музей в группе", date(2025, 11, 12)])
    buf = io.BytesIO()
    wb.save(buf)
    response = client.post("/resource-map/import", data={"file": (io.BytesIO(buf.getvalue()), "new.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Предпросмотр импорта" in html
    # The preview saved nothing.
    assert db_session.scalar(sa.select(Organization).where(Organization.name == "МБДОУ № 11 с. Корнилово")) is None
    token = html.split('action="/resource-map/import/')[1].split("/confirm")[0]
    assert client.post(f"/resource-map/import/{token}/confirm").status_code == 302
    db_session.expire_all()
    offering = db_session.scalar(sa.select(Offering).where(Offering.title == "Мини-музей в группе"))
    assert offering.person.organization.municipality == "Томский район"
    assert offering.starts_on == date(2025, 11, 12)
    # The token is single-use.
    response = client.post(f"/resource-map/import/{token}/confirm")
    assert response.status_code == 302 and "/import" in response.headers["Location"]


def test_bad_xlsx_imports_nothing(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    wb = Workbook()
    ws = wb.active
    ws.title = "Тьюторы"
    ws.append(["ФИО", "Email", "Организация", "Тьютор"])
    ws.append(["Новикова Анна Сергеевна", "anna.novikova@example.ru", "МАДОУ № 8 г. Томска", "да"])
    ws.append(["", "no-name@example.ru", "", "да"])
    ws.append(["Орлова Ксения", "не-почта", "", "может быть"])
    buf = io.BytesIO()
    wb.save(buf)
    result = run_import(rm, net, m["year"].id, read_upload("people.xlsx", buf.getvalue()))
    assert [(e.sheet, e.row) for e in result.errors] == [("Тьюторы", 3), ("Тьюторы", 4)]
    assert result.errors[0].message == "Укажите ФИО."
    rm.rollback()
    assert services.list_people_choices(rm, net) and not any(
        "Новикова" in label for _id, label in services.list_people_choices(rm, net))
