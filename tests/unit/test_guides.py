"""Guides (办事指南): the 一次告知 list across answer paths, a bundle's union, every validation error with its
path, the JSON file all or none, and hostile input (docs/guides.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.domain.guide import Form
from common.guides.files import GuideFileError, dump, load, samples
from common.guides.rules import bundle_checklist, bundle_materials, checklist, problems

GUIDES = {g.item: g for g in samples()}
DEMO = json.loads((Path(__file__).parents[2] / "common" / "demo_data.json").read_text("utf-8"))["catalogue"]


def names(c):
    return [(m.name, m.form.value, m.copies) for m in c.materials]


def test_samples_cover_every_demo_item_and_every_bundles_items():
    demo_items = {i["code"]: i["department"] for i in DEMO["items"]}
    assert set(GUIDES) == set(demo_items)  # every matter a kiosk finds has its 一次告知 list
    assert len({demo_items[c] for c in GUIDES}) >= 8
    for b in DEMO["bundles"]:
        assert set(b["items"]) <= set(GUIDES), b["code"]
    assert all(g.sample for g in GUIDES.values())


def test_every_sample_answers_path_gives_a_list_and_names_only_its_own_questions():
    import itertools

    for g in GUIDES.values():
        assert not problems(g), g.item
        pairs = {(q.id, a.id) for q in g.questions for a in q.answers}
        assert all((c.question, c.answer) in pairs for m in g.materials for c in m.condition), g.item
        for path in itertools.product(*[[a.id for a in q.answers] for q in g.questions]):
            listed = checklist(g, dict(zip([q.id for q in g.questions], path, strict=True))).materials
            assert listed and all(m.name for m in listed), (g.item, path)
    assert all(problems(g) == [] for g in GUIDES.values())


def test_medical_card_by_an_agent_for_a_damaged_card():
    g = GUIDES["YB-01"]
    c = checklist(g, {"who": "agent", "why": "broken"})
    assert names(c) == [("居民身份证", "原件", 1), ("原社会保障卡", "原件", 1), ("《社会保障卡补换申请表》", "原件", 1),
                        ("代办人居民身份证", "原件", 1), ("委托书", "原件", 1)]
    assert c.answered == (("为谁办理？", "他人代办"), ("补领还是换领？", "损坏换领"))
    assert c.next_question is None and c.promised_days == 15 and c.fees == ()  # a damaged card is replaced free
    mine = checklist(g, {"who": "self", "why": "lost"})
    assert mine.fees == (("补卡工本费", 20.0),) and mine.place.startswith("青浦区行政服务中心")
    assert names(mine) == [("居民身份证", "原件", 1), ("《社会保障卡补换申请表》", "原件", 1)]
    child = checklist(g, {"who": "minor", "why": "lost"})
    assert [m[0] for m in names(child)][-1] == "监护人居民身份证及户口簿"


def test_id_card_paths_and_a_half_answered_walk():
    g = GUIDES["HJ-06"]
    first = checklist(g, {"kind": "first", "age": "under16"})
    assert [m[0] for m in names(first)] == ["居民户口簿", "数码照片回执", "监护人居民身份证"]
    assert first.materials[1].form is Form.elicence and first.fees == (("申领工本费", 20.0),)
    lost = checklist(g, {"kind": "lost", "age": "adult"})
    assert [m[0] for m in names(lost)] == ["户口簿或其他身份证明", "数码照片回执"] and lost.fees == (("补领工本费", 40.0),)
    half = checklist(g, {"kind": "renew"})  # the age not answered yet: only what is sure so far
    assert half.next_question == "age"
    assert [m[0] for m in names(half)] == ["原居民身份证", "数码照片回执"]
    assert checklist(g, {}).next_question == "kind"


def test_retirement_special_work_through_the_employer():
    g = GUIDES["SB-05"]
    c = checklist(g, {"who_applies": "employer", "kind": "special"})
    assert names(c) == [("居民身份证", "原件", 1), ("户口簿", "原件", 1), ("人事档案", "原件", 1),
                        ("《退休审批表》", "原件", 2), ("领取养老金的银行卡", "复印件", 1), ("特殊工种证明", "原件", 1)]
    off_path = checklist(g, {"who_applies": "self", "kind": "ill", "unknown": "x"})
    assert [m[0] for m in names(off_path)][-1] == "劳动能力鉴定结论" and "人事档案" not in [m[0] for m in names(off_path)]
    assert checklist(g, {"who_applies": "nonsense"}).next_question == "who_applies"


def test_a_bundle_unites_its_items_materials_once_each_with_the_most_copies():
    retire = [GUIDES["SB-05"], GUIDES["GJJ-03"]]
    c = bundle_checklist(retire, {"SB-05": {"who_applies": "self", "kind": "normal"},
                                  "GJJ-03": {"who": "self", "proof": "online"}})
    ids = [m for m in c.materials if m.name == "居民身份证"]
    assert len(ids) == 1 and ids[0].items == ("SB-05", "GJJ-03")
    assert c.promised_days == 20 and c.items == ("SB-05", "GJJ-03") and c.next_question is None
    business = [GUIDES[i] for i in ("QY-01", "SW-01", "SB-07", "GJJ-04")]
    every = bundle_materials(business)
    licence = [m for m in every if m.name == "营业执照"]
    assert len(licence) == 1 and licence[0].items == ("SW-01", "SB-07", "GJJ-04")
    filer = [m for m in every if m.name == "经办人居民身份证"]
    assert len(filer) == 1 and filer[0].items == ("SB-07", "GJJ-04")
    g = GUIDES["GJJ-04"]
    more = g.model_copy(update={"materials": tuple(m.model_copy(update={"copies": 3}) if m.name == "营业执照" else m
                                                     for m in g.materials)})
    assert [m.copies for m in bundle_materials([GUIDES["SB-07"], more]) if m.name == "营业执照"] == [3]
    halfway = bundle_checklist(business, {})
    assert halfway.next_question == "QY-01:type"


def _file(**change) -> dict:
    raw = json.loads(dump([GUIDES["YB-01"], GUIDES["HJ-06"]]))
    for path, value in change.items():
        *parents, last = path.split("/")
        node = raw
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return raw


def _refused(raw) -> list[tuple[str, str]]:
    with pytest.raises(GuideFileError) as e:
        load(json.dumps(raw, ensure_ascii=False))
    assert "未导入任何内容" in e.value.zh and "nothing was imported" in e.value.en
    for p in e.value.problems:
        assert p.path in e.value.zh and p.path in e.value.en
    return [(p.path, p.code) for p in e.value.problems]


@pytest.mark.parametrize(("change", "expected"), [
    ({"guides/1/materials/2/copies": 0}, ("guides[1].materials[2].copies", "guide_range")),
    ({"guides/1/materials/2/copies": 10**9}, ("guides[1].materials[2].copies", "guide_range")),
    ({"guides/0/materials/1/form": "照片"}, ("guides[0].materials[1].form", "guide_choice")),
    ({"guides/0/name": "医" * 10_000}, ("guides[0].name", "guide_too_long")),
    ({"guides/0/body": "区医保\x07中心"}, ("guides[0].body", "guide_bad_text")),
    ({"guides/0/item": "YB 01/../x"}, ("guides[0].item", "guide_bad_text")),
    ({"guides/0/extra": 1}, ("guides[0].extra", "guide_unknown_field")),
    ({"guides/1/item": "YB-01"}, ("guides[1].item", "guide_duplicate")),
    ({"guides/0/questions/1/answers/0/next": "nowhere"}, ("guides[0].questions[1].answers[0].next",
                                                          "guide_unknown_question")),
    ({"guides/0/questions/1/answers/1/next": "who"}, ("guides[0].questions[0]", "guide_question_loop")),
    ({"guides/0/questions/1/id": "who"}, ("guides[0].questions[1].id", "guide_duplicate")),
    ({"guides/0/materials/1/condition/0/question": "whom"}, ("guides[0].materials[1].condition[0].question",
                                                             "guide_unknown_question")),
    ({"guides/0/materials/1/condition/0/answer": "stolen"}, ("guides[0].materials[1].condition[0].answer",
                                                             "guide_unknown_answer")),
    ({"guides/0/questions/1/answers": [{"id": "only", "text": "只有一个"}]}, ("guides[0].questions[1].answers",
                                                                          "guide_too_few")),
    ({"guides/0/fees/0/condition/0/answer": "stolen"}, ("guides[0].fees[0].condition[0].answer",
                                                        "guide_unknown_answer")),
    ({"guides/0/fees/0/yuan": -5}, ("guides[0].fees[0].yuan", "guide_range")),
    ({"guides/0/consult_phone": "call me"}, ("guides[0].consult_phone", "guide_bad_text")),
    ({"guides/0/published/at": "yesterday"}, ("guides[0].published.at", "guide_time")),
    ({"guides/0/published/at": "2026-13-45T09:00:00+08:00"}, ("guides[0].published.at", "guide_time")),
    ({"guides/0/published/at": "2026-12-01T09:00:00"}, ("guides[0].published.at", "guide_time")),
    ({"guides/0/version": 0}, ("guides[0].version", "guide_range")),
    ({"guides/0/promised_days": 366}, ("guides[0].promised_days", "guide_range")),
    ({"guides/0/materials/0/blank_form": "../../etc/passwd"}, ("guides[0].materials[0].blank_form", "guide_bad_text")),
    ({"guides/0/conditions": " \t "}, ("guides[0].conditions", "guide_bad_text")),
    ({"guides": {"not": "a list"}}, ("guides", "guide_field")),
    ({"schema": "haoban.guides/9"}, ("schema", "guide_schema")),
])
def test_every_validation_error_is_named_with_its_path(change, expected):
    assert expected in _refused(_file(**change))


def test_a_loop_marks_each_question_on_it_and_all_problems_of_a_file_are_named_at_once():
    found = _refused(_file(**{"guides/0/questions/1/answers/1/next": "who", "guides/1/materials/0/copies": -1,
                              "guides/1/name": "🙂" * 101}))
    assert ("guides[0].questions[1]", "guide_question_loop") in found
    assert ("guides[1].materials[0].copies", "guide_range") in found and ("guides[1].name", "guide_too_long") in found


@pytest.mark.parametrize("data", ["", "[]", "{not json", b"\xff\xfe\x00", "null", '{"guides": 3}'])
def test_not_a_guide_file_at_all(data):
    with pytest.raises(GuideFileError) as e:
        load(data)
    assert e.value.problems and e.value.messages["zh_Hant"]


def test_emoji_in_names_is_text_and_a_huge_file_is_refused_before_it_is_read():
    ok = load(json.dumps(_file(**{"guides/0/name": "医保卡补领🙂"}), ensure_ascii=False))
    assert ok[0].name == "医保卡补领🙂"
    with pytest.raises(GuideFileError) as e:
        load(" " * (16 * 1024 * 1024 + 1))
    assert e.value.problems[0].code == "guide_file_size"


def test_export_then_import_is_the_same_catalogue():
    assert load(dump(samples())) == samples()
    assert json.loads(dump(samples()))["schema"] == "haoban.guides/1"


_ANSWER_IDS = sorted({a.id for g in GUIDES.values() for q in g.questions for a in q.answers} | {"", "x", "🙂"})
_QUESTION_IDS = sorted({q.id for g in GUIDES.values() for q in g.questions} | {"", "nope"})


@settings(max_examples=300, deadline=None)
@given(item=st.sampled_from(sorted(GUIDES)),
       answers=st.dictionaries(st.sampled_from(_QUESTION_IDS) | st.text(max_size=5),
                               st.sampled_from(_ANSWER_IDS) | st.text(max_size=5), max_size=6))
def test_any_answers_over_any_sample_guide_give_a_list(item, answers):
    g = GUIDES[item]
    c = checklist(g, answers)
    assert isinstance(c.materials, tuple)
    assert all(m.required for m in c.materials if m.required) and len(c.answered) <= len(g.questions)
    assert {m.name for m in g.materials if m.required} <= {m.name for m in c.materials}
    assert c.next_question is None or c.next_question in {q.id for q in g.questions}


BUNDLES = {b["code"]: b["items"] for b in DEMO["bundles"]}


@settings(max_examples=100, deadline=None)
@given(bundle=st.sampled_from(sorted(BUNDLES)),
       answers=st.dictionaries(st.sampled_from(sorted(GUIDES)) | st.text(max_size=3),
                               st.dictionaries(st.sampled_from(_QUESTION_IDS), st.sampled_from(_ANSWER_IDS), max_size=4),
                               max_size=4))
def test_any_answers_over_a_bundle_give_one_line_per_name_and_form(bundle, answers):
    c = bundle_checklist([GUIDES[i] for i in BUNDLES[bundle]], answers)
    keys = [(m.name, m.form) for m in c.materials]
    assert len(keys) == len(set(keys)) and c.items == tuple(BUNDLES[bundle])
    assert all(set(m.items) <= set(c.items) for m in c.materials)
