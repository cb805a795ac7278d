"""The guide (办事指南) of a service item: the national catalogue's fields (GB/T 39554, 政务服务事项基本目录及实施清单)
with the guided questions (common/guides/rules.py walks them into the 一次告知 list).

Pydantic models, frozen: a guide arrives as JSON (an import file, later the reference data from upstream), and
pydantic checks every field's type and limit and names the path of each bad one (`guides[3].materials[2].copies`),
which frozen dataclasses would make us write by hand. Cross-references (questions, answers, conditions) are
checked in common/guides/rules.py, where the path of each problem is known too.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from common.domain.limits import ID_MAX, ID_PATTERN

# The limit of every text in a guide.
GUIDE_NAME_MAX = 100  # an item's or a material's name
GUIDE_TEXT_MAX = 2_000  # a paragraph: legal basis, 受理条件, a step, an answer of the FAQ
GUIDE_SHORT_MAX = 200  # a note, a place, hours, a question, an answer
GUIDE_PHONE_MAX = 40  # "021-69221234" or "12345"
GUIDE_FILE_MAX = 120  # a blank form's or an example's file name
COPIES_MAX = 20
DAYS_MAX = 365  # working days of a time limit
VISITS_MAX = 5
LIST_MAX = 60  # materials, steps, questions, answers, FAQ entries of one guide
CONDITION_MAX = 10  # (question, answer) pairs of one condition
VERSION_MAX = 1_000_000

_CONTROL = {chr(c) for c in range(32) if c not in (9, 10)} | {"\x7f"}


def _printable(value: str) -> str:
    """No control characters (a tab and a line break excepted), no blank text."""
    if any(c in _CONTROL for c in value):
        raise ValueError("control characters")
    if not value.strip():
        raise ValueError("blank")
    return value


Id = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN)]
Name = Annotated[str, Field(max_length=GUIDE_NAME_MAX), AfterValidator(_printable)]
Text = Annotated[str, Field(max_length=GUIDE_TEXT_MAX), AfterValidator(_printable)]
Short = Annotated[str, Field(max_length=GUIDE_SHORT_MAX), AfterValidator(_printable)]
Phone = Annotated[str, Field(min_length=3, max_length=GUIDE_PHONE_MAX, pattern=r"^[0-9+\-() ]+$")]
FileName = Annotated[str, Field(min_length=1, max_length=GUIDE_FILE_MAX, pattern=r"^[^/\\\x00-\x1f]+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Form(StrEnum):
    """The form a material is handed in: 原件 / 复印件 / 电子证照 / 容缺后补."""
    original = "原件"
    copy = "复印件"
    elicence = "电子证照"
    later = "容缺后补"


class Source(StrEnum):
    """Where a material comes from: 申请人自备 / 政府部门核发."""
    applicant = "申请人自备"
    government = "政府部门核发"


class Pair(_Frozen):
    """One (question, answer) of a condition."""
    question: Id
    answer: Id


class Material(_Frozen):
    """材料: required unless `condition` names the answers under which it is asked (all of them)."""
    name: Name
    name_en: Name | None = None
    condition: tuple[Pair, ...] = Field(default=(), max_length=CONDITION_MAX)
    form: Form = Form.original
    copies: int = Field(default=1, ge=1, le=COPIES_MAX)
    paper: Short | None = None  # "A4"
    source: Source = Source.applicant
    blank_form: FileName | None = None
    example: FileName | None = None
    notes: Short | None = None

    @property
    def required(self) -> bool:
        return not self.condition


class Answer(_Frozen):
    """A one-tap answer; `next` is the question it leads to (None: the questions end here)."""
    id: Id
    text: Short
    text_en: Short | None = None
    next: Id | None = None


class Question(_Frozen):
    """A guided question (本人还是代办？): the first of a guide's questions is asked first."""
    id: Id
    text: Short
    text_en: Short | None = None
    answers: tuple[Answer, ...] = Field(min_length=2, max_length=LIST_MAX)


class Step(_Frozen):
    """One step of the procedure (办理流程)."""
    title: Short
    detail: Text | None = None


class Fee(_Frozen):
    """收费: what is charged, how much (yuan; 0 when free) and on what basis (收费依据)."""
    name: Short
    yuan: float = Field(ge=0, le=1_000_000)
    basis: Text | None = None
    condition: tuple[Pair, ...] = Field(default=(), max_length=CONDITION_MAX)  # charged only under these answers


class Faq(_Frozen):
    question: Short
    answer: Text


class Published(_Frozen):
    """Who published this version and when (ISO time with its offset, as the clock gave it)."""
    by: Name
    at: AwareDatetime


class Guide(_Frozen):
    """办事指南 of one service item (`item`: its code in the catalogue, e.g. YB-01)."""
    item: Id
    name: Name  # 事项名称
    name_en: Name | None = None
    catalogue_code: Annotated[str, Field(max_length=40, pattern=r"^[0-9A-Za-z\-]*$")] = ""  # 基本编码 / 实施编码
    kind: Short = "公共服务"  # 事项类型: 行政许可 / 行政给付 / 行政确认 / 公共服务 / 其他行政权力
    body: Name  # 实施主体
    legal_basis: tuple[Text, ...] = Field(default=(), max_length=LIST_MAX)  # 设定依据
    conditions: Text  # 受理条件
    materials: tuple[Material, ...] = Field(default=(), max_length=LIST_MAX)  # 申请材料
    steps: tuple[Step, ...] = Field(default=(), max_length=LIST_MAX)  # 办理流程
    statutory_days: int | None = Field(default=None, ge=0, le=DAYS_MAX)  # 法定办结时限（工作日）
    promised_days: int = Field(ge=0, le=DAYS_MAX)  # 承诺办结时限（工作日; 0 = 即办）
    visits: int = Field(default=1, ge=0, le=VISITS_MAX)  # 到现场次数
    fees: tuple[Fee, ...] = Field(default=(), max_length=LIST_MAX)  # 收费标准及依据 (none: free)
    place: Short  # 办理地点
    hours: Short  # 办理时间
    windows: Short | None = None  # 办理窗口
    consult_phone: Phone  # 咨询电话
    complaint_phone: Phone = "12345"  # 监督投诉电话
    faq: tuple[Faq, ...] = Field(default=(), max_length=LIST_MAX)  # 常见问题
    questions: tuple[Question, ...] = Field(default=(), max_length=LIST_MAX)  # 引导问题
    version: int = Field(default=1, ge=1, le=VERSION_MAX)
    published: Published | None = None
    sample: bool = False  # 示例内容: written for the demo, not an authority's text


SCHEMA = "haoban.guides/1"  # the JSON file's schema version


class GuideFile(_Frozen):
    """A catalogue of guides as one JSON file."""
    schema_: Annotated[str, Field(alias="schema")] = SCHEMA
    note: Short | None = None  # e.g. "示例内容" for the demo's samples
    guides: tuple[Guide, ...] = Field(default=(), max_length=10_000)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
