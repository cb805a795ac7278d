"""A guide's cross-references, its guided questions and the 一次告知 list (docs/guides.md).

`problems(guide)` names every broken reference with its path; `checklist(guide, answers)` walks the questions
from the first by the answers given and lists what applies; `bundle_checklist` unites a 一件事's items.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from common.domain.guide import Fee, Form, Guide, Material, Question


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (`questions[1].answers[0].next`) and which error text says it."""
    path: str
    code: str


def problems(guide: Guide, where: str = "") -> list[Problem]:
    """Every duplicate id, answer leading to an unknown question, question loop and condition naming an
    unknown question or answer, each with its path under `where`."""
    found: list[Problem] = []
    by_id: dict[str, Question] = {}
    for qi, q in enumerate(guide.questions):
        if q.id in by_id:
            found.append(Problem(f"{where}questions[{qi}].id", "guide_duplicate"))
        by_id.setdefault(q.id, q)
        seen: set[str] = set()
        for ai, a in enumerate(q.answers):
            if a.id in seen:
                found.append(Problem(f"{where}questions[{qi}].answers[{ai}].id", "guide_duplicate"))
            seen.add(a.id)
    for qi, q in enumerate(guide.questions):
        for ai, a in enumerate(q.answers):
            if a.next is not None and a.next not in by_id:
                found.append(Problem(f"{where}questions[{qi}].answers[{ai}].next", "guide_unknown_question"))
    found += [Problem(f"{where}questions[{qi}]", "guide_question_loop") for qi in _in_loops(guide.questions, by_id)]
    conditioned = [(f"materials[{i}]", m.condition) for i, m in enumerate(guide.materials)]
    conditioned += [(f"fees[{i}]", f.condition) for i, f in enumerate(guide.fees)]
    for at, condition in conditioned:
        for ci, pair in enumerate(condition):
            asked = by_id.get(pair.question)
            if asked is None:
                found.append(Problem(f"{where}{at}.condition[{ci}].question", "guide_unknown_question"))
            elif pair.answer not in {a.id for a in asked.answers}:
                found.append(Problem(f"{where}{at}.condition[{ci}].answer", "guide_unknown_answer"))
    return found


def _in_loops(questions: Sequence[Question], by_id: Mapping[str, Question]) -> list[int]:
    """Indexes of the questions on a cycle of `next` links (depth-first, colouring each question once)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    looped: set[str] = set()

    def visit(qid: str, path: list[str]) -> None:
        state[qid] = 1
        path.append(qid)
        for a in by_id[qid].answers:
            nxt = a.next
            if nxt is None or nxt not in by_id:
                continue
            if state.get(nxt) == 1:
                looped.update(path[path.index(nxt):])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[qid] = 2

    for q in questions:
        if q.id not in state:
            visit(q.id, [])
    return [i for i, q in enumerate(questions) if q.id in looped and by_id.get(q.id) is q]


@dataclass(frozen=True)
class Line:
    """One material of the 一次告知 list; `items` are the service items asking for it (a bundle's several)."""
    name: str
    name_en: str | None
    form: Form
    copies: int
    required: bool
    notes: str | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Checklist:
    """一次告知: what to bring, the answers it rests on, and the rest a citizen needs to come once."""
    items: tuple[str, ...]
    materials: tuple[Line, ...]
    answered: tuple[tuple[str, str], ...]  # (question text, answer text) in the order asked
    next_question: str | None  # the id of the question still to answer (None: the list is final)
    promised_days: int
    statutory_days: int | None
    visits: int
    fees: tuple[tuple[str, float], ...]
    place: str
    hours: str
    windows: str | None


def walk(guide: Guide, answers: Mapping[str, str]) -> tuple[list[tuple[Question, str]], str | None]:
    """The questions asked from the first, each with its answer, while `answers` answers them; and the id of
    the first one unanswered. An answer not offered, or a question off the path, is ignored; a loop ends the walk."""
    by_id = {q.id: q for q in guide.questions}
    path: list[tuple[Question, str]] = []
    qid = guide.questions[0].id if guide.questions else None
    while qid is not None and qid in by_id and all(q.id != qid for q, _ in path):
        q = by_id[qid]
        chosen = next((a for a in q.answers if a.id == answers.get(qid)), None)
        if chosen is None:
            return path, qid
        path.append((q, chosen.id))
        qid = chosen.next
    return path, None


def applies(entry: Material | Fee, given: set[tuple[str, str]]) -> bool:
    """Whether a material is asked (a fee charged): every (question, answer) of its condition was answered so."""
    return all((p.question, p.answer) in given for p in entry.condition)


def checklist(guide: Guide, answers: Mapping[str, str]) -> Checklist:
    """The 一次告知 list of one guide under these answers: every required material and every conditional one
    whose whole condition was answered so (fees likewise); never raises on any answers."""
    path, pending = walk(guide, answers)
    given = {(q.id, a) for q, a in path}
    lines = tuple(_line(m, guide.item) for m in guide.materials if applies(m, given))
    answered = tuple((q.text, next(a.text for a in q.answers if a.id == aid)) for q, aid in path)
    return Checklist(items=(guide.item,), materials=lines, answered=answered, next_question=pending,
                     promised_days=guide.promised_days, statutory_days=guide.statutory_days, visits=guide.visits,
                     fees=tuple((f.name, f.yuan) for f in guide.fees if applies(f, given)), place=guide.place, hours=guide.hours,
                     windows=guide.windows)


def _line(m: Material, item: str) -> Line:
    return Line(name=m.name, name_en=m.name_en, form=m.form, copies=m.copies, required=m.required,
                notes=m.notes, items=(item,))


def union(lines: Sequence[Line]) -> tuple[Line, ...]:
    """Materials without duplicates: the same name and form are one line, with the most copies any item asks,
    required when any item requires it, and every item that asks for it; in first-seen order."""
    merged: dict[tuple[str, Form], Line] = {}
    for line in lines:
        key = (line.name, line.form)
        old = merged.get(key)
        if old is None:
            merged[key] = line
            continue
        merged[key] = Line(name=old.name, name_en=old.name_en or line.name_en, form=old.form,
                           copies=max(old.copies, line.copies), required=old.required or line.required,
                           notes=old.notes or line.notes,
                           items=old.items + tuple(i for i in line.items if i not in old.items))
    return tuple(merged.values())


def bundle_checklist(guides: Sequence[Guide], answers: Mapping[str, Mapping[str, str]]) -> Checklist:
    """A 一件事 bundle's list: its items' lists (each under its own answers, by item code) united. Time limits are
    the longest item's, visits the most any item needs (done together), fees all items'; place and hours the
    first item's (a bundle is served at one window)."""
    if not guides:
        raise ValueError("a bundle has items")
    parts = [checklist(g, answers.get(g.item, {})) for g in guides]
    pending = next((f"{c.items[0]}:{c.next_question}" for c in parts if c.next_question), None)
    statutory = [c.statutory_days for c in parts if c.statutory_days is not None]
    return Checklist(
        items=tuple(g.item for g in guides), materials=union([m for c in parts for m in c.materials]),
        answered=tuple(a for c in parts for a in c.answered), next_question=pending,
        promised_days=max(c.promised_days for c in parts), statutory_days=max(statutory) if statutory else None,
        visits=max(c.visits for c in parts), fees=tuple(f for c in parts for f in c.fees),
        place=parts[0].place, hours=parts[0].hours, windows=parts[0].windows)


def bundle_materials(guides: Sequence[Guide]) -> tuple[Line, ...]:
    """Every material a bundle may ask for, whatever the answers: the union of all its items' materials."""
    return union([_line(m, g.item) for g in guides for m in g.materials])
