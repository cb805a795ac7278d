"""Guide search (common/search): what matches what, bad input that never raises, misses, the lexicon as data."""
from __future__ import annotations

import json
import time
from functools import cache
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.domain.errors import InvalidInput
from common.search import Doc, Index, Lexicon, catalogue_docs, default_lexicon
from common.search.text import BOUND


@cache
def demo() -> Index:
    catalogue = json.loads(resources.files("common").joinpath("demo_data.json").read_text("utf-8"))["catalogue"]
    return Index(catalogue_docs(catalogue, default_lexicon().aliases))


def first(query: str, index: Index | None = None) -> str | None:
    hits = (index or demo()).search(query).hits
    return hits[0].id if hits else None


def ids(query: str, index: Index | None = None) -> list[str]:
    return [h.id for h in (index or demo()).search(query).hits]


def test_characters_pairs_and_words_find_the_item():
    assert first("医保卡补办") == "YB-01"
    assert first("异地就医") == "YB-05"
    assert first("残疾人证补办") == "CL-02"
    assert first("敬老卡") == "LL-02"


def test_pinyin_in_full_and_by_initials_finds_the_item():
    assert first("ybk") == "YB-01"
    assert first("sfz") == "HJ-06"
    assert first("shenfenzheng") == "HJ-06"
    assert {"YB-01", "YB-02"} <= set(ids("yibao"))  # 医保 is in both names
    assert first("hukou qianru") == "HJ-04"


def test_yi_jian_shi_in_pinyin_finds_every_bundle_first():
    """一件事 is a word of the lexicon, so its pinyin (yjs, yijianshi) names the bundles, not items that only share
    the letters (单位住房公积金缴存…)."""
    for query in ("yjs", "yijianshi", "一件事"):
        assert set(ids(query)[:3]) == {"BD-01", "BD-02", "BD-03"}, query


def test_pinyin_still_being_typed_finds_what_it_starts():
    assert first("shenf") == first("shenfenzh") == "HJ-06"
    assert first("yibaok") == "YB-01"
    assert first("hukouq") == "HJ-04"


def test_a_guide_field_finds_its_item_below_one_that_names_it():
    index = Index([Doc("a", "item", "居住证签注", {"materials": "居民身份证原件 租房合同"}), Doc("b", "item", "租房合同备案")])
    assert ids("租房合同", index) == ["b", "a"]
    assert first("身份证原件", index) == "a"


def test_both_readings_of_a_polyphone_match():
    index = Index([Doc("a", "item", "长期护理保险评估"), Doc("b", "item", "重残无业人员生活补助"),
                   Doc("c", "item", "银行卡代发登记"), Doc("d", "item", "失业登记")])
    assert first("changqi huli", index) == "a" and first("zhangqi huli", index) == "a"  # 长 chang / zhang
    assert first("zhongcan", index) == "b" and first("chongcan", index) == "b"  # 重 zhong / chong
    assert first("yinhangka", index) == "c" and first("yinxingka", index) == "c"  # 行 hang / xing


def test_mixed_up_shanghai_mandarin_sounds_still_find_it():
    assert first("sebaoka") == "YB-01"  # sh read as s
    assert first("jinlaoka") == "LL-02"  # jing read as jin


def test_full_width_latin_and_case_fold_to_the_same_search():
    assert ids("ＹＢＫ") == ids("ybk") == ids("YBK")
    assert ids("Ｓｈｅｎｆｅｎｚｈｅｎｇ") == ids("shenfenzheng")


def test_a_whole_question_is_cut_and_its_question_words_left_out():
    assert first("身份证丢了怎么办") == "HJ-06"
    assert first("失业金怎么领") == "JY-02"
    answer = demo().search("怎么办 我想 要办什么")
    assert answer.hits == () and answer.miss and answer.reasons == ("search_no_match",)


def test_a_life_event_names_its_bundle_first():
    for query, bundle in (("孩子出生了要办什么", "BD-01"), ("我想开公司", "BD-02"), ("退休了怎么领养老金", "BD-03")):
        hit = demo().search(query).hits[0]
        assert (hit.id, hit.kind) == (bundle, "bundle"), query


def test_synonyms_and_abbreviations_from_the_lexicon():
    assert first("最低生活保障") == first("低保") == "MZ-01"
    assert first("社会保障卡补领") in ("YB-01", "YB-07") and "YB-01" in ids("社会保障卡补领")[:2]
    assert "GJJ-02" in ids("住房公积金租房")[:1] and first("公积金租房") == "GJJ-02"


def test_a_typo_of_a_near_homophone_is_forgiven():
    assert first("医宝卡补办") == "YB-01"
    assert first("公基金租房提取") == "GJJ-02"
    assert first("card 医宝卡") == "YB-01"  # after an English word (found by the Hypothesis test: it raised once)


def test_traditional_characters_find_the_simplified_names_through_their_sound():
    assert first("醫保卡補辦") == "YB-01"  # a citizen on the 繁體 screens, or from Hong Kong, Macao, Taiwan
    assert first("殘疾人證") in ("CL-01", "CL-02")
    assert first("身份證") == "HJ-06"


def test_english_names_are_searched_too():
    assert first("residence permit") == "HJ-01"
    assert first("ID card") == "HJ-06"


def test_an_exact_title_comes_first():
    for doc in demo().docs:
        assert first(doc.title) == doc.id, doc.title


def test_an_editor_adds_a_synonym_and_the_query_finds_its_item():
    base = default_lexicon()
    assert first("申请小黄车补贴") != "JY-05"
    extended = Lexicon(base.stop, base.stop_chars, base.synonyms + (("职业技能培训补贴", "小黄车补贴"),),
                       base.intents, base.aliases)
    catalogue = json.loads(resources.files("common").joinpath("demo_data.json").read_text("utf-8"))["catalogue"]
    draft = Index(catalogue_docs(catalogue), extended)
    assert first("申请小黄车补贴", draft) == "JY-05"
    assert draft.cuts.words("小黄车补贴") == ["小黄车补贴"] and demo().cuts.words("小黄车补贴") != ["小黄车补贴"]  # its own jieba


def test_a_broken_lexicon_names_the_bad_entry_in_both_languages():
    with pytest.raises(InvalidInput) as raised:
        Lexicon.from_dict({"synonyms": [["医保卡", "社保卡"], ["低保", 7]]})
    assert raised.value.key == "search_lexicon" and "synonyms[1][1]" in raised.value.zh and "synonyms[1][1]" in raised.value.en
    for bad in ([], {"intents": [{"phrases": ["出生"], "targets": []}]}, {"stop": "怎么"}, {"aliases": {"A": ["x" * 40]}}):
        with pytest.raises(InvalidInput):
            Lexicon.from_dict(bad)


def test_the_shipped_lexicon_names_only_codes_of_the_catalogue():
    codes = {d.id for d in demo().docs}
    lexicon = default_lexicon()
    assert {t for i in lexicon.intents for t in i.targets} <= codes
    assert set(lexicon.aliases) <= codes


# ------------------------------------------------------------------ bad input never raises

def test_a_query_of_ten_thousand_characters_is_cut_to_the_bound_and_says_so():
    answer = demo().search("医保卡补办" * 2000)
    assert answer.hits[0].id == "YB-01"
    assert "search_truncated" in answer.reasons and len(answer.query) <= BOUND
    said = answer.messages()[0]
    assert f"{BOUND}" in said["zh_CN"] and f"{BOUND}" in said["en"] and said["zh_Hant"]


def test_emoji_controls_and_blank_queries_answer_empty_with_a_reason():
    for raw in ("", "   ", "\t\n", "😀😀🎉", "\x00\x07\x1b", "？？！！", None, 42, b"ybk"):
        answer = demo().search(raw)  # type: ignore[arg-type]
        assert (answer.hits, answer.miss, answer.reasons) == ((), False, ("search_empty",)), raw
        assert answer.messages()[0]["en"].startswith("Type what you need")


def test_controls_and_emoji_around_words_are_ignored():
    assert ids("\x00医保卡\x1b补办😀") == ids("医保卡补办")
    assert ids("医保卡\u200b补办") == ids("医保卡补办")


def test_the_number_of_hits_asked_for_is_kept_within_bounds():
    index = Index([Doc(f"d{n}", "item", f"第{n}号登记") for n in range(80)])
    assert [len(index.search("登记", limit=n).hits) for n in (-5, 0, 1, 3, 10_000)] == [1, 1, 1, 3, 50]
    assert len(index.search("登记", limit="7").hits) == 10  # type: ignore[arg-type]


def test_a_miss_is_flagged_and_keeps_nothing_that_could_be_a_number_of_a_person():
    answer = demo().search("天气预报 13812345678")
    assert answer.miss and "search_no_match" in answer.reasons
    assert "13812345678" not in answer.query and "#" in answer.query
    assert not demo().search("医保卡").miss


HALL_TEXT = st.text(alphabet=st.sampled_from(sorted(set("".join(d.title for d in demo().docs)) | set("abcdefghijklmnopqrstuvwxyz 怎么办了吗")
                                                    | set("ＡＢＣ１２３😀\x00\u200b"))), max_size=120)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), HALL_TEXT))
def test_any_text_returns_an_answer_within_bounds(raw):
    started = time.perf_counter()
    answer = demo().search(raw, limit=5)
    assert time.perf_counter() - started < 1.0
    assert len(answer.hits) <= 5 and len(answer.query) <= BOUND
    assert answer.miss or answer.hits or answer.reasons == ("search_empty",)
    assert all(r in ("search_empty", "search_truncated", "search_no_match") for r in answer.reasons)
    assert len(answer.messages()) == len(answer.reasons) and all(m["zh_CN"] and m["en"] for m in answer.messages())
