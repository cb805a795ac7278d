"""Spoken calls and prompts, put together from the recorded clips in assets/voice/.

A call "请 A012 号到 3 号窗口" is: chime, 请, A, 零 幺 二, 号到, 三, 号窗口. Ticket digits are read one by
one, the window as a number (十二 号窗口). The clips are made by assets/voice/make_clips.py and may be
replaced by studio recordings of the same names and format.
"""

from __future__ import annotations

import io
import wave
from functools import lru_cache
from pathlib import Path

from assets import ROOT as ASSETS
from common.domain import errors as e

VOICE_DIR = ASSETS / "voice"
FORMAT = (1, 2, 22050)  # channels, bytes per sample, frames per second
GAP_SECONDS = 0.06  # between two clips of one announcement
PAUSE_SECONDS = 0.35  # after the chime

PROMPTS: dict[str, str] = {
    "welcome": "欢迎光临，请选择办理的业务",
    "choose_item": "请选择您要办理的事项",
    "confirm": "请核对后，点击确认取号",
    "take_ticket": "请取走您的号票，留意叫号",
    "checkin": "请刷身份证，或扫描预约二维码",
    "scan_failed": "没有识别出来，请再试一次",
    "error": "出了点问题，请找工作人员帮忙",
    "offline": "系统正在离线工作，号票照样有效",
    # the 办不成事 flow (kiosk/model.py CASE_STEPS and its last screen)
    "case_matter": "您要办的是哪件事？请选一下",
    "case_cause": "遇到了什么问题？请选一下",
    "case_phone": "留个手机号，方便我们联系您，也可以不留",
    "case_words": "还想说点什么？可以选几条，也可以不选",
    "case_confirm": "请核对您要反映的内容，再点确认提交",
    "case_done": "您的反映已受理，请收好受理回执",
    "guide": "请输入要办的事，可以打拼音首字母",
    "guide_results": "请点一下您要办的事",
    "guide_list": "请准备以下材料",
    "guide_more": "其余材料请看屏幕上的清单",
}
# The words of a 一次告知 list that have a clip: a material whose name is made of them (《》（） aside) is read aloud in
# elder mode; another is left to the screen ("其余材料请看屏幕上的清单"). Clips made by assets/voice/make_clips.py.
LIST_WORDS: dict[str, str] = {
    "居民身份证": "w_jumin_shenfenzheng",
    "身份证": "w_shenfenzheng",
    "代办人": "w_daibanren",
    "经办人": "w_jingbanren",
    "监护人": "w_jianhuren",
    "申领人": "w_shenlingren",
    "法定代表人": "w_fadingdaibiaoren",
    "本人": "w_benren",
    "单位": "w_danwei",
    "父母双方": "w_fumushuangfang",
    "原": "w_yuan",
    "及": "w_ji",
    "或": "w_huo",
    "委托书": "w_weituoshu",
    "户口簿": "w_hukoubu",
    "居民": "w_jumin",
    "营业执照": "w_yingyezhizhao",
    "正副本": "w_zhengfuben",
    "残疾人证": "w_canjirenzheng",
    "社会保障卡": "w_shehuibaozhangka",
    "银行卡": "w_yinhangka",
    "借记卡": "w_jiejika",
    "结婚证": "w_jiehunzheng",
    "上海市居住证": "w_shanghaijuzhuzheng",
    "居住登记凭证": "w_juzhudengji",
    "近期一寸免冠照片": "w_yicunzhaopian",
    "照片": "w_zhaopian",
    "申请表": "w_shenqingbiao",
    "出生医学证明": "w_chushengyixue",
    "火化证明": "w_huohuazhengming",
    "房屋租赁合同": "w_fangwuzulin",
    "产权证明": "w_chanquanzhengming",
    "人事档案": "w_renshidangan",
    "退休审批表": "w_tuixiushenpibiao",
    "退休证明": "w_tuixiuzhengming",
    "股东会决议": "w_gudonghuijueyi",
    "股东决定": "w_gudongjueding",
}
_QUIET = str.maketrans("", "", "《》（）()〈〉“”\" ")


def clip_path(name: str) -> Path:
    return VOICE_DIR / f"{name}.wav"


@lru_cache(maxsize=128)
def _frames(name: str) -> bytes:
    path = clip_path(name)
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != FORMAT:
                raise e.InvalidInput("voice_clip_format", clip=path.name)
            return w.readframes(w.getnframes())
    except FileNotFoundError:
        raise e.InvalidInput("voice_clip_missing", clip=path.name) from None


def _number_clips(n: int) -> list[str]:
    """A window number read as a number: 3 三, 10 十, 12 十二, 20 二十, 105 一百零五."""
    if n < 0 or n > 999:
        raise e.InvalidInput("voice_window_number")
    if n < 10:
        return [f"n{n}"]
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = [f"n{hundreds}", "n_bai"] if hundreds else []
    if tens:
        out += ([] if tens == 1 and not hundreds else [f"n{tens}"]) + ["n_shi"]
    elif hundreds and units:
        out.append("n0")
    if units:
        out.append(f"n{units}")
    return out


def call_clips(number: str, window_number: int) -> list[str]:
    """The clip names of the call of ticket `number` (e.g. "A012") to window `window_number`."""
    if not number or not number[0].isascii() or not number[0].isalpha() or not number[1:].isdigit():
        raise e.InvalidInput("voice_number", number=number)
    return ["chime", "qing", f"l_{number[0].upper()}", *(f"d{c}" for c in number[1:]), "hao_dao",
            *_number_clips(window_number), "hao_chuangkou"]


def join(names: list[str]) -> bytes:
    """One WAV file of the clips in order, with short gaps (a longer one after a chime)."""
    channels, width, rate = FORMAT
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        for i, name in enumerate(names):
            w.writeframes(_frames(name))
            if i < len(names) - 1:
                gap = PAUSE_SECONDS if name == "chime" else GAP_SECONDS
                w.writeframes(b"\0" * (int(rate * gap) * width * channels))
    return out.getvalue()


def call_wav(number: str, window_number: int) -> bytes:
    return join(call_clips(number, window_number))


def prompt_wav(name: str) -> bytes:
    if name not in PROMPTS:
        raise e.InvalidInput("voice_prompt", name=name)
    return join([f"p_{name}"])


def _read(name: str) -> list[str] | None:
    """The clips of one material's name, longest words first; None when a part of it has no clip."""
    text, out = name.translate(_QUIET), []
    while text:
        word = next((w for w in sorted(LIST_WORDS, key=len, reverse=True) if text.startswith(w)), None)
        if word is None:
            return None
        out.append(LIST_WORDS[word])
        text = text[len(word):]
    return out or None


def list_clips(materials: list[str]) -> list[str]:
    """The clips reading a 一次告知 list: "请准备以下材料", each material that can be read (numbered 一、二…), and
    "其余材料请看屏幕上的清单" when one could not be."""
    out, missed, n = ["p_guide_list"], False, 0
    for name in materials:
        clips = _read(name)
        if clips is None:
            missed = True
            continue
        n += 1
        out += _number_clips(n) + clips
    return out + (["p_guide_more"] if missed else [])
