"""Domain errors: each is a type with a code, an HTTP-like status and a message in Chinese and English."""
from __future__ import annotations


class HaobanError(Exception):
    """Base of every error a user may see; `zh` and `en` are shown as they are."""

    code = "error"
    status = 400
    zh = "操作无法完成"
    en = "The operation cannot be completed"

    def __init__(self, zh: str | None = None, en: str | None = None, **detail: object) -> None:
        self.zh = zh or self.zh
        self.en = en or self.en
        self.detail = detail
        super().__init__(self.en)

    def as_dict(self) -> dict:
        return {"error": self.code, "message_zh": self.zh, "message_en": self.en}


def kind(code: str, status: int, zh: str, en: str) -> type[HaobanError]:
    """A new kind of error: its code, HTTP-like status and default messages (modules define their own)."""
    name = "".join(part.capitalize() for part in code.split("_"))
    return type(name, (HaobanError,), {"code": code, "status": status, "zh": zh, "en": en})


NotFound = kind("not_found", 404, "找不到该记录", "Not found")
InvalidInput = kind("invalid_input", 422, "输入内容有误", "The input is not valid")
Unauthenticated = kind("unauthenticated", 401, "设备未登记或凭证无效", "Device not enrolled or token invalid")
Forbidden = kind("forbidden", 403, "本设备无权进行此操作", "This device may not do that")
ClerkRequired = kind("clerk_required", 401, "请先登录工作人员账号", "A clerk must sign in first")
ClerkLocked = kind("clerk_locked", 423, "密码错误次数过多，账号已暂时锁定", "Too many wrong PINs: the account is locked for a while")
BadCredentials = kind("bad_credentials", 401, "工号或密码不正确", "Wrong staff number or PIN")
TicketNotWaiting = kind("ticket_not_waiting", 409, "该号票不在等候中", "The ticket is not waiting")
WindowBusy = kind("window_busy", 409, "本窗口尚有正在办理的号票", "The window is still serving a ticket")
WindowIdle = kind("window_idle", 409, "本窗口当前没有号票", "The window has no current ticket")
WindowPaused = kind("window_paused", 409, "本窗口已暂停服务", "The window is paused")
WindowNotPaused = kind("window_not_paused", 409, "本窗口未暂停", "The window is not paused")
QueueEmpty = kind("queue_empty", 409, "当前没有等候的号票", "No ticket is waiting")
QueueNotServed = kind("queue_not_served", 409, "本窗口不办理该队列", "This window does not serve that queue")
RecallLimit = kind("recall_limit", 409, "重呼次数已达上限", "The recall limit is reached")
SkipTooEarly = kind("skip_too_early", 409, "请先重呼后再过号", "Recall the ticket before skipping it")
NotStarted = kind("not_started", 409, "尚未开始办理", "Service has not started")
AlreadyStarted = kind("already_started", 409, "已经开始办理", "Service has already started")
NotFinished = kind("not_finished", 409, "办理尚未结束，暂不能评价", "The service is not finished yet")
AlreadyRated = kind("already_rated", 409, "该次服务已评价过", "This service has already been rated")
ReasonRequired = kind("reason_required", 422, "请填写原因", "A reason is required")
EnrolmentInvalid = kind("enrolment_invalid", 401, "登记码无效或已使用", "The enrolment code is invalid or used")
Conflict = kind("conflict", 409, "数据冲突，请重试", "Conflicting change, please retry")
