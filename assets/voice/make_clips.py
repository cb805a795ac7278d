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
