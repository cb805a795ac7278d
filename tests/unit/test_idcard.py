"""ID numbers: check digit, impossible dates, 15-digit legacy numbers, masking."""
from datetime import date

import pytest

from common.domain.idcard import InvalidId, check_digit, mask_id, mask_name, parse_id

TODAY = date(2026, 11, 26)


def valid(first17: str) -> str:
    return first17 + check_digit(first17)


def test_a_valid_number_gives_birth_sex_and_age():
    n = valid("31011819490315002")  # Shanghai 青浦 region code, born 1949-03-15
    parsed = parse_id(n, TODAY)
    assert parsed.birth == date(1949, 3, 15) and parsed.female is True and parsed.region == "310118"
    assert parsed.age_on(TODAY) == 77 and parsed.age_on(date(2027, 3, 14)) == 77 and parsed.age_on(date(2027, 3, 15)) == 78


def test_check_digit_x_and_lower_case():
    # find a body whose check digit is X, then accept it typed in lower case with spaces
    body = next(b for b in (f"3101181990010100{i}" for i in range(10)) if check_digit(b) == "X")
    assert parse_id(f" {body}x ", TODAY).number == body + "X"


@pytest.mark.parametrize("raw, words", [
    ("", "18位"),
    ("3101181949031500", "18位"),
    ("31011819490315002A", "数字"),
    ("01011819490315002" + "0", "地区"),
])
def test_shape_errors_say_what_is_wrong(raw, words):
    with pytest.raises(InvalidId) as err:
        parse_id(raw, TODAY)
    assert words in err.value.zh and err.value.en


def test_wrong_check_digit():
    n = valid("31011819490315002")
    wrong = n[:17] + ("0" if n[17] != "0" else "1")
    with pytest.raises(InvalidId) as err:
        parse_id(wrong, TODAY)
    assert "校验码" in err.value.zh


@pytest.mark.parametrize("birth", ["19490230", "20270101", "18700101", "19491301"])
def test_impossible_or_implausible_dates(birth):
    with pytest.raises(InvalidId) as err:
        parse_id(valid("310118" + birth + "002"), TODAY)
    assert "出生日期" in err.value.zh


def test_fifteen_digit_legacy_numbers_are_upgraded():
    parsed = parse_id("310118490315002", TODAY)
    assert parsed.number == valid("31011819490315002") and parsed.birth == date(1949, 3, 15)
    with pytest.raises(InvalidId):
        parse_id("310118490230002", TODAY)  # 30 February


def test_masking():
    assert mask_id("310118194903150028") == "310***********0028"
    assert mask_name("王小明") == "王*明" and mask_name("李明") == "李*" and mask_name("欧阳娜娜") == "欧**娜"


def test_sdt_base_message_is_parsed_and_never_printed():
    from common.devices.idreader import CardData, parse_sdt_text, sdt_text

    card = CardData(name="王小明", id_number=valid("31011819490315002"), sex="2", birth="19490315")
    blob = sdt_text(card)
    assert len(blob) == 256
    parsed = parse_sdt_text(blob)
    assert parsed == card and parse_id(parsed.id_number, TODAY).age_on(TODAY) == 77
    assert "王" not in repr(parsed) and parsed.id_number not in repr(parsed)


def test_simulated_reader_and_failures():
    from common.devices.idreader import ReaderFailed, SimulatedReader, parse_sdt_text

    reader = SimulatedReader()
    assert reader.read() is None
    reader.broken = True
    with pytest.raises(ReaderFailed) as err:
        reader.read()
    assert "身份证" in err.value.zh
    with pytest.raises(ReaderFailed):
        parse_sdt_text(b"\x00" * 10)
