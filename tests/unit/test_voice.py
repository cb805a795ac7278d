"""The spoken call is put together from the recorded clips; the speaker never blocks or crashes a caller."""

from __future__ import annotations

import array
import io
import sys
import time
import wave

import pytest

from common.devices import voice
from common.devices.speaker import AplaySpeaker, RecordingSpeaker
from common.domain import errors as e


def frames(wav: bytes) -> int:
    with wave.open(io.BytesIO(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == voice.FORMAT
        return w.getnframes()


def test_call_reads_digits_one_by_one_and_the_window_as_a_number() -> None:
    assert voice.call_clips("A012", 3) == [
        "chime", "qing", "l_A", "d0", "d1", "d2", "hao_dao", "n3", "hao_chuangkou"]
    assert voice.call_clips("b1000", 12)[-4:] == ["hao_dao", "n_shi", "n2", "hao_chuangkou"]


@pytest.mark.parametrize(("n", "spoken"), [
    (0, ["n0"]), (7, ["n7"]), (10, ["n_shi"]), (12, ["n_shi", "n2"]), (20, ["n2", "n_shi"]),
    (35, ["n3", "n_shi", "n5"]), (100, ["n1", "n_bai"]), (105, ["n1", "n_bai", "n0", "n5"]),
    (110, ["n1", "n_bai", "n1", "n_shi"]),
])
def test_window_numbers(n: int, spoken: list[str]) -> None:
    assert voice.call_clips("A001", n)[7:-1] == spoken


@pytest.mark.parametrize("bad", ["", "012", "AB12", "中01", "A1x"])
def test_a_number_that_cannot_be_spoken_is_refused_plainly(bad: str) -> None:
    with pytest.raises(e.InvalidInput) as err:
        voice.call_clips(bad, 3)
    assert "无法播报" in err.value.zh and "cannot be announced" in err.value.en


def test_every_clip_exists_in_the_one_format_and_is_not_silent() -> None:
    names = {f"d{i}" for i in range(10)} | {f"n{i}" for i in range(10)} | {"n_shi", "n_bai", "qing",
             "hao_dao", "hao_chuangkou", "chime"} | {f"l_{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    names |= {f"p_{p}" for p in voice.PROMPTS}
    for name in names:
        wav = voice.clip_path(name).read_bytes()
        assert 0.1 < frames(wav) / 22050 < 6, name
        samples = array.array("h", wave.open(io.BytesIO(wav)).readframes(10**7))
        assert max(abs(s) for s in samples) > 2000, name


def test_the_call_is_its_clips_with_gaps_between() -> None:
    clips = voice.call_clips("C107", 4)
    expected = sum(frames(voice.clip_path(n).read_bytes()) for n in clips)
    gaps = int(22050 * voice.PAUSE_SECONDS) + (len(clips) - 2) * int(22050 * voice.GAP_SECONDS)
    assert frames(voice.call_wav("C107", 4)) == expected + gaps
    assert frames(voice.prompt_wav("take_ticket")) == frames(voice.clip_path("p_take_ticket").read_bytes())


def test_a_replaced_clip_of_another_format_gets_a_plain_message(tmp_path, monkeypatch) -> None:
    with wave.open(str(tmp_path / "qing.wav"), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(44100), w.writeframes(b"\0" * 400)
    monkeypatch.setattr(voice, "VOICE_DIR", tmp_path)
    voice._frames.cache_clear()
    try:
        with pytest.raises(e.InvalidInput) as err:
            voice.join(["qing"])
        assert "16 位单声道" in err.value.zh and "16-bit mono" in err.value.en
    finally:
        voice._frames.cache_clear()


def test_the_speaker_plays_in_order_in_the_background(tmp_path) -> None:
    out = tmp_path / "played.bin"
    sink = f"import sys; open({str(out)!r}, 'ab').write(sys.stdin.buffer.read())"
    speaker = AplaySpeaker(command=[sys.executable, "-c", sink])
    first, second = voice.call_wav("A001", 1), voice.prompt_wav("welcome")
    speaker.play(first)
    speaker.play(second)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < len(first) + len(second)):
        time.sleep(0.05)
    assert out.read_bytes() == first + second
    assert speaker.failures == 0


def test_a_missing_player_is_a_warning_not_a_crash(caplog) -> None:
    speaker = AplaySpeaker(command=["haoban-no-such-player"])
    speaker.play(b"RIFF")
    speaker.play(b"RIFF")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and speaker.failures < 2:
        time.sleep(0.02)
    assert speaker.failures == 2
    assert sum("not found" in r.message for r in caplog.records) == 1


def test_recording_speaker_keeps_what_it_played() -> None:
    speaker = RecordingSpeaker()
    speaker.play(b"x")
    assert speaker.played == [b"x"]


def test_a_list_is_read_where_its_words_have_clips_and_the_rest_is_left_to_the_screen():
    from common.devices.voice import LIST_WORDS, clip_path, list_clips

    assert all(clip_path(c).exists() for c in LIST_WORDS.values())
    assert list_clips(["居民身份证", "代办人居民身份证", "居民户口簿"]) == [
        "p_guide_list", "n1", "w_jumin_shenfenzheng", "n2", "w_daibanren", "w_jumin_shenfenzheng",
        "n3", "w_jumin", "w_hukoubu"]  # the longest word first: 居民身份证, not 居民 + 身份证
    assert list_clips(["《出生医学证明》", "某某特别证明"]) == ["p_guide_list", "n1", "w_chushengyixue", "p_guide_more"]
    assert list_clips([]) == ["p_guide_list"] and list_clips(["", "（）"])[-1] == "p_guide_more"
    assert len(voice.join(list_clips(["居民身份证"]))) > 44  # a real WAV, made of the committed clips
