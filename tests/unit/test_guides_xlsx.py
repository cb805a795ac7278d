"""Guides as a 事项库 workbook: round trip, and a broken row refused by its cell (docs/guides.md)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from common.guides.files import GuideFileError, samples
from common.guides.xlsx import from_xlsx, to_xlsx


def _edit(cells: dict[tuple[str, str], object], drop: str | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(to_xlsx(samples())))
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    if drop:
        wb.remove(wb[drop])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refused(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(GuideFileError) as e:
        from_xlsx(data)
    assert "未导入任何内容" in e.value.zh and "nothing was imported" in e.value.en
    return [(p.path, p.code) for p in e.value.problems]


def test_a_workbook_round_trip_is_the_same_catalogue_in_the_columns_of_a_catalogue_export():
    data = to_xlsx(samples())
    assert from_xlsx(data) == samples()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["事项", "材料", "收费", "流程", "问题", "常见问题"]
    assert [c.value for c in wb["材料"][1]][:6] == ["事项编码", "材料名称", "英文名称", "适用条件", "材料形式", "份数"]
    first = [c.value for c in wb["材料"][2]]
    assert first[0] == samples()[0].item and first[1] == samples()[0].materials[0].name


def test_a_bad_cell_is_named_by_its_sheet_column_and_row():
    wb = load_workbook(io.BytesIO(to_xlsx(samples())))
    copies_row = next(r for r in range(2, wb["材料"].max_row + 1) if wb["材料"][f"B{r}"].value == "《退休审批表》")
    found = _refused(_edit({("材料", f"F{copies_row}"): 99, ("事项", "F3"): "x" * 10_000,
                            ("问题", "H2"): "nowhere"}))
    assert (f"材料!F{copies_row}", "guide_range") in found
    assert ("事项!F3", "guide_too_long") in found
    assert ("问题!H2", "guide_unknown_question") in found


def test_rows_naming_an_unknown_item_or_a_malformed_condition_or_a_missing_sheet():
    assert ("材料!A2", "guide_unknown_item") in _refused(_edit({("材料", "A2"): "NO-SUCH"}))
    assert ("材料!D2", "guide_condition_form") in _refused(_edit({("材料", "D2"): "本人办理"}))
    assert ("流程", "guide_missing") in _refused(_edit({}, drop="流程"))
    assert ("(file)", "guide_not_xlsx") in _refused(b"PK\x03\x04 not really a zip")
