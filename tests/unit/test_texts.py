"""The message catalogues (i18n/*.json): every text in the languages it needs, every key the code names exists."""
from __future__ import annotations

import ast
import re
import string
from importlib import resources
from pathlib import Path

import pytest

import i18n
from common.domain import errors as e

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("common", "server", "kiosk", "terminal", "qtbase", "devtools")
NAMES = sorted(p.stem for p in resources.files("i18n").iterdir() if p.name.endswith(".json"))


def kinds() -> list[type[e.HaobanError]]:
    found, todo = [], [e.HaobanError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    # Relayed (a hub's refusal as it came) and SettingsInvalid (a file and key in every message) are built differently
    return [k for k in found if k.__init__ is e.HaobanError.__init__]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("name", NAMES)
def test_every_text_is_in_the_languages_its_readers_need(name):
    needed = i18n.LANGUAGES if name in i18n.CITIZENS else ("zh_CN", "en")
    for key, entry in i18n.catalogue(name).items():
        assert [lang for lang in needed if not entry.get(lang, "").strip()] == [], (name, key)
        assert set(entry) <= set(i18n.LANGUAGES), (name, key)
        assert len({tuple(re.findall(r"%\d", text)) for text in entry.values()}) == 1, (name, key)


def test_every_kind_of_error_is_a_class_with_its_own_code_and_says_it_in_every_language():
    codes = [k.code for k in kinds()]
    assert len(codes) == len(set(codes)) and len(codes) > 30
    for kind in kinds():
        error = kind()
        assert isinstance(kind.status, int) and error.status == kind.status
        assert all(error.messages[lang] for lang in i18n.LANGUAGES), kind
        assert error.as_dict()["message_zh"] == error.zh and error.as_dict()["message_en"] == error.en == str(error)


def test_a_key_fills_its_fields_in_each_language():
    error = e.InvalidInput("csv_columns", missing="code, date")
    assert error.zh == "CSV 缺少列：code, date" and error.en == "The CSV lacks columns: code, date"
    assert error.messages["zh_Hant"].endswith("code, date") and error.detail == {"missing": "code, date"}
    said = i18n.text("errors", "import_row", "en", n=2, message={"zh_CN": "错", "en": "wrong"})
    assert said == "row 2: wrong"


def test_a_refusal_relayed_from_a_hub_keeps_its_code_status_and_texts():
    error = e.Relayed({"error": "window_busy", "message_zh": "忙", "message_en": "busy"}, 409)
    assert (error.code, error.status, error.zh, error.en, error.messages["zh_Hant"]) == ("window_busy", 409, "忙", "busy", "忙")


def _uses(tree: ast.AST):
    """(catalogue, key, keyword names, line) of each error raised by key and each i18n.text(s) call."""
    classes = {k.__name__ for k in kinds()}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        keywords = {k.arg for k in node.keywords}
        if name in classes and args and isinstance(args[0], str):
            yield "errors", args[0], keywords, node.lineno
        elif name == "_check" and len(args) > 1 and isinstance(args[1], str):  # common/usecases/reference.py
            yield "errors", args[1], keywords, node.lineno
        elif name in ("text", "texts") and len(args) > 1 and isinstance(args[0], str) and isinstance(args[1], str):
            yield args[0], args[1], keywords, node.lineno


def test_every_key_the_code_names_is_in_its_catalogue_with_the_fields_it_fills():
    seen = 0
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for name, key, keywords, line in _uses(ast.parse(path.read_text("utf-8"))):
                where = f"{path.relative_to(ROOT)}:{line}"
                assert key in i18n.catalogue(name), (where, key)
                assert set().union(*map(fields, i18n.catalogue(name)[key].values())) <= keywords, (where, key)
                seen += 1
    assert seen > 100


def test_no_error_is_raised_with_inline_texts():
    classes = {k.__name__ for k in kinds()}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in classes:
                    inline = [a for a in node.args if isinstance(a, (ast.JoinedStr, ast.BinOp)) or isinstance(a, ast.Constant)
                              and (" " in a.value or re.search("[\u4e00-\u9fff]", a.value))]
                    assert inline == [], f"{path.relative_to(ROOT)}:{node.lineno}"


def test_every_key_a_page_or_its_script_names_is_in_its_catalogue():
    web = ROOT / "server" / "web"
    named = [m.groups() for p in (web / "templates").glob("*.html")
             for m in re.finditer(r"""\bt\(\s*["'](\w+)\.(\w+)["']\s*[,)]""", p.read_text("utf-8"))]
    phone, board = ((web / "static" / f).read_text("utf-8") for f in ("phone.js", "board.js"))
    named += [("phone", a or b) for a, b in re.findall(r"""\bT\.(\w+)|fill\("(\w+)\"""", phone)]
    named += [("web", key) for key in re.findall(r"\bT\.(?:zh_CN|en)\.(\w+)", board)]
    assert len(named) > 80
    assert [(name, key) for name, key in named if key not in i18n.catalogue(name)] == []


def test_a_hall_s_names_read_in_english_part_by_part_and_unknown_ones_stay_as_written():
    assert i18n.name("医保社保", "en") == "Medical and social insurance"
    assert i18n.name("户籍、医保", "en") == "Household registration; Medical insurance"
    assert i18n.name("户籍，某某科", "en") == "Household registration; 某某科"  # a hall's own name is kept
    assert i18n.name("户籍", "zh_Hant") == "戶籍" and i18n.name("户籍") == "户籍" and i18n.name("", "en") == ""
    demo = i18n.catalogue("names")
    from common.usecases import reference

    data = reference.demo_data()
    names = {i["department"] for i in data["catalogue"]["items"]} | {q["name"] for s in data["sites"] for q in s["queues"]}
    assert sorted(n for n in names if n not in demo) == []  # every name of the demo reads in English
