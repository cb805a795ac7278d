"""Make the voice clips in this folder with espeak-ng (Debian package `espeak-ng`).

    python3 assets/voice/make_clips.py [NAME ...]   (no name: every clip)

Every clip is a WAV file, 16-bit mono 22,050 Hz, with the silence at both ends trimmed. The clips are
committed, so nothing speaks through espeak-ng at run time. A hall with studio recordings replaces
any file by one of the same name and format (common/devices/voice.py refuses clips of another format).

Chinese is spoken with `espeak-ng -v cmn-latn-pinyin` from pinyin with tone numbers (so that the
digit 1 in a ticket number is read yāo, as halls do); the queue letters are read as English letters
(`-v cmn`), as Shanghai halls say them ("A" = ēi).
"""

from __future__ import annotations

import array
import math
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATE = 22050

# name -> pinyin. Ticket digits are read one by one (1 = yao1); window numbers as numbers (1 = yi1).
PINYIN = {
    **{f"d{i}": p for i, p in enumerate("ling2 yao1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3".split())},
    **{f"n{i}": p for i, p in enumerate("ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3".split())},
    "n_shi": "shi2",
    "n_bai": "bai3",
    "qing": "qing3",
    "hao_dao": "hao4 dao4",
    "hao_chuangkou": "hao4 chuang1 kou3",
    # Spoken prompts of the kiosk (elder mode); the texts are in common/devices/voice.py PROMPTS.
    "p_welcome": "huan1 ying2 guang1 lin2, qing3 xuan3 ze2 ban4 li3 de5 ye4 wu4",
    "p_choose_item": "qing3 xuan3 ze2 nin2 yao4 ban4 li3 de5 shi4 xiang4",
    "p_confirm": "qing3 he2 dui4 hou4, dian3 ji1 que4 ren4 qu3 hao4",
    "p_take_ticket": "qing3 qu3 zou3 nin2 de5 hao4 piao4, liu2 yi4 jiao4 hao4",
    "p_checkin": "qing3 shua1 shen1 fen4 zheng4, huo4 sao3 miao2 yu4 yue1 er4 wei2 ma3",
    "p_scan_failed": "mei2 you3 shi2 bie2 chu1 lai2, qing3 zai4 shi4 yi2 ci4",
    "p_error": "chu1 le5 dian3 wen4 ti2, qing3 zhao3 gong1 zuo4 ren2 yuan2 bang1 mang2",
    "p_offline": "xi4 tong3 zheng4 zai4 li2 xian4 gong1 zuo4, hao4 piao4 zhao4 yang4 you3 xiao4",
    "p_case_matter": "nin2 yao4 ban4 de5 shi4 na3 jian4 shi4? qing3 xuan3 yi2 xia4",
    "p_case_cause": "yu4 dao4 le5 shen2 me5 wen4 ti2? qing3 xuan3 yi2 xia4",
    "p_case_phone": "liu2 ge4 shou3 ji1 hao4, fang1 bian4 wo3 men5 lian2 xi4 nin2, ye3 ke3 yi3 bu4 liu2",
    "p_case_words": "hai2 xiang3 shuo1 dian3 shen2 me5? ke3 yi3 xuan3 ji3 tiao2, ye3 ke3 yi3 bu4 xuan3",
    "p_case_confirm": "qing3 he2 dui4 nin2 yao4 fan3 ying4 de5 nei4 rong2, zai4 dian3 que4 ren4 ti2 jiao1",
    "p_case_done": "nin2 de5 fan3 ying4 yi3 shou4 li3, qing3 shou1 hao3 shou4 li3 hui2 zhi2",
    "p_guide": "qing3 shu1 ru4 yao4 ban4 de5 shi4, ke3 yi3 da3 pin1 yin1 shou3 zi4 mu3",
    "p_guide_results": "qing3 dian3 yi2 xia4 nin2 yao4 ban4 de5 shi4",
    "p_guide_list": "qing3 zhun3 bei4 yi3 xia4 cai2 liao4",
    "p_guide_more": "qi2 yu2 cai2 liao4 qing3 kan4 ping2 mu4 shang4 de5 qing1 dan1",
    # Words of the 一次告知 list (common/devices/voice.py LIST_WORDS): a material made of them is read aloud.
    "w_jumin_shenfenzheng": "ju1 min2 shen1 fen4 zheng4",
    "w_shenfenzheng": "shen1 fen4 zheng4",
    "w_daibanren": "dai4 ban4 ren2",
    "w_jingbanren": "jing1 ban4 ren2",
    "w_jianhuren": "jian1 hu4 ren2",
    "w_shenlingren": "shen1 ling3 ren2",
    "w_fadingdaibiaoren": "fa3 ding4 dai4 biao3 ren2",
    "w_benren": "ben3 ren2",
    "w_danwei": "dan1 wei4",
    "w_fumushuangfang": "fu4 mu3 shuang1 fang1",
    "w_yuan": "yuan2",
    "w_ji": "ji2",
    "w_huo": "huo4",
    "w_weituoshu": "wei3 tuo1 shu1",
    "w_hukoubu": "hu4 kou3 bu4",
    "w_jumin": "ju1 min2",
    "w_yingyezhizhao": "ying2 ye4 zhi2 zhao4",
    "w_zhengfuben": "zheng4 fu4 ben3",
    "w_canjirenzheng": "can2 ji2 ren2 zheng4",
    "w_shehuibaozhangka": "she4 hui4 bao3 zhang4 ka3",
    "w_yinhangka": "yin2 hang2 ka3",
    "w_jiejika": "jie4 ji4 ka3",
    "w_jiehunzheng": "jie2 hun1 zheng4",
    "w_shanghaijuzhuzheng": "shang4 hai3 shi4 ju1 zhu4 zheng4",
    "w_juzhudengji": "ju1 zhu4 deng1 ji4 ping2 zheng4",
    "w_yicunzhaopian": "jin4 qi1 yi4 cun4 mian3 guan1 zhao4 pian4",
    "w_zhaopian": "zhao4 pian4",
    "w_shenqingbiao": "shen1 qing3 biao3",
    "w_chushengyixue": "chu1 sheng1 yi1 xue2 zheng4 ming2",
    "w_huohuazhengming": "huo3 hua4 zheng4 ming2",
    "w_fangwuzulin": "fang2 wu1 zu1 lin4 he2 tong2",
    "w_chanquanzhengming": "chan3 quan2 zheng4 ming2",
    "w_renshidangan": "ren2 shi4 dang4 an4",
    "w_tuixiushenpibiao": "tui4 xiu1 shen3 pi1 biao3",
    "w_tuixiuzhengming": "tui4 xiu1 zheng4 ming2",
    "w_gudonghuijueyi": "gu3 dong1 hui4 jue2 yi4",
    "w_gudongjueding": "gu3 dong1 jue2 ding4",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def speak(text: str, voice: str) -> array.array:
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", f.name, text], check=True)
        with wave.open(f.name, "rb") as w:
            assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (RATE, 2, 1)
            return array.array("h", w.readframes(w.getnframes()))


def trim(samples: array.array, threshold: int = 300, pad: int = RATE // 50) -> array.array:
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return samples
    return samples[max(0, loud[0] - pad) : loud[-1] + pad]


def chime() -> array.array:
    """Two soft bell tones (a major third down), like the 叮咚 of a hall's call."""
    out = array.array("h")
    for freq, seconds in ((659.25, 0.45), (523.25, 0.7)):
        n = int(RATE * seconds)
        for i in range(n):
            t = i / RATE
            env = math.exp(-4.0 * t) * min(1.0, i / (RATE * 0.01))
            tone = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            out.append(int(9000 * env * tone))
    return out


def write(name: str, samples: array.array) -> None:
    with wave.open(str(HERE / f"{name}.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def main(only: list[str]) -> None:
    """Every clip, or only the ones named (`make_clips.py p_case_done ...`: a new prompt leaves the others as they are)."""
    wanted = set(only) or set(PINYIN) | {f"l_{x}" for x in LETTERS} | {"chime"}
    for name, pinyin in PINYIN.items():
        if name in wanted:
            write(name, trim(speak(pinyin, "cmn-latn-pinyin")))
    for letter in LETTERS:
        if f"l_{letter}" in wanted:
            write(f"l_{letter}", trim(speak(letter, "cmn")))
    if "chime" in wanted:
        write("chime", chime())
    print(f"{len(wanted)} clips written to {HERE}")


if __name__ == "__main__":
    main(sys.argv[1:])
