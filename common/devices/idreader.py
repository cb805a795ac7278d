"""ID-card readers: one interface, adapters for the two common reader SDKs (through ctypes), a simulator.

What is read is personal data (PIPL): it stays in memory for the one use case, is never logged,
and screens show it masked (`common.domain.idcard.mask_id`, `mask_name`).

SDT family ("SDT_*", e.g. libsdtapi.so / sdtapi.dll), calls in this order:
  SDT_OpenPort(int port) -> 144 on success            (1001..1016 = USB)
  SDT_StartFindIDCard(int port, char* manageInfo[8], int ifOpen) -> 159 card present
  SDT_SelectIDCard(int port, char* manageInfo[8], int ifOpen) -> 144
  SDT_ReadBaseMsg(int port, char* text[256], uint* textLen, char* photo[1024], uint* photoLen, int ifOpen) -> 144
  SDT_ClosePort(int port)
  `text` is 256 bytes of UCS-2 little-endian, fixed fields: name 30, sex 2, nation 4, birth 16 (YYYYMMDD),
  address 70, ID number 36, issuing authority 30, valid from 16, valid to 16, reserved 36.
CVR family ("CVR_*", e.g. libtermb.so / termb.dll):
  CVR_InitComm(int port) -> 1;  CVR_Authenticate() -> 1;  CVR_Read_Content(int active=4) -> 1
  GetPeopleName(char* buf, int* len), GetPeopleIDCode(char* buf, int* len), GetPeopleBirthday(...),
  GetPeopleSex(...): GBK text;  CVR_CloseComm()
"""
from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from common.domain.errors import ReaderFailed  # also imported from here by callers

log = logging.getLogger("haoban.idreader")


_SDT_FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
               ("authority", 30), ("valid_from", 16), ("valid_to", 16))


@dataclass(frozen=True)
class CardData:
    name: str
    id_number: str
    sex: str  # "1" male, "2" female (GB/T 2261.1)
    birth: str  # YYYYMMDD

    def __repr__(self) -> str:  # never print personal data by accident
        return "CardData(<personal data>)"


class IdCardReader(Protocol):
    def read(self) -> CardData | None:
        """The card on the reader, None when there is none; raises `ReaderFailed` when it cannot read."""


def parse_sdt_text(text: bytes) -> CardData:
    """The 256-byte base message of an SDT reader."""
    if len(text) < 256:
        raise ReaderFailed()
    fields, at = {}, 0
    for name, size in _SDT_FIELDS:
        fields[name] = text[at:at + size].decode("utf-16-le", errors="replace").strip().strip("\x00")
        at += size
    return CardData(name=fields["name"], id_number=fields["id_number"], sex=fields["sex"], birth=fields["birth"])


class SdtReader:
    """A reader of the SDT family through its vendor library."""

    def __init__(self, library: str = "libsdtapi.so", port: int = 1001) -> None:
        self.lib, self.port = ctypes.CDLL(library), port
        if self.lib.SDT_OpenPort(port) != 144:
            raise ReaderFailed("reader_not_connected")

    def read(self) -> CardData | None:
        manage = ctypes.create_string_buffer(8)
        if self.lib.SDT_StartFindIDCard(self.port, manage, 1) != 159:
            return None
        if self.lib.SDT_SelectIDCard(self.port, manage, 1) != 144:
            raise ReaderFailed()
        text, photo = ctypes.create_string_buffer(256), ctypes.create_string_buffer(1024)
        tlen, plen = ctypes.c_uint(0), ctypes.c_uint(0)
        if self.lib.SDT_ReadBaseMsg(self.port, text, ctypes.byref(tlen), photo, ctypes.byref(plen), 1) != 144:
            raise ReaderFailed()
        return parse_sdt_text(text.raw[:max(tlen.value, 256)])


class CvrReader:
    """A reader of the CVR family through its vendor library."""

    def __init__(self, library: str = "libtermb.so", port: int = 1001) -> None:
        self.lib = ctypes.CDLL(library)
        if self.lib.CVR_InitComm(port) != 1:
            raise ReaderFailed("reader_not_connected")

    def _text(self, fn) -> str:
        buf, size = ctypes.create_string_buffer(128), ctypes.c_int(128)
        fn(buf, ctypes.byref(size))
        return buf.raw[:size.value].decode("gbk", errors="replace").strip("\x00 ")

    def read(self) -> CardData | None:
        if self.lib.CVR_Authenticate() != 1:
            return None
        if self.lib.CVR_Read_Content(4) != 1:
            raise ReaderFailed()
        return CardData(name=self._text(self.lib.GetPeopleName), id_number=self._text(self.lib.GetPeopleIDCode),
                        sex=self._text(self.lib.GetPeopleSex), birth=self._text(self.lib.GetPeopleBirthday))


class SimulatedReader:
    """The simulator: cards put on and taken off by a test or the demo."""

    def __init__(self) -> None:
        self.card: CardData | None = None
        self.broken = False
        self.reads = 0  # how often it was asked: a test knows the watcher has seen a card taken off

    def read(self) -> CardData | None:
        self.reads += 1
        if self.broken:
            raise ReaderFailed()
        return self.card


def open_reader(spec: str) -> IdCardReader | None:
    """The reader a settings value names (kiosk.toml's id_reader): sdt:<library>:<port> | cvr:<library>:<port> |
    simulated | none (None). Raises OSError (no such library) or ReaderFailed (no reader on that port)."""
    kind, _, rest = spec.partition(":")
    library, _, port = rest.partition(":")
    if kind == "sdt":
        return SdtReader(library or "libsdtapi.so", int(port or 1001))
    if kind == "cvr":
        return CvrReader(library or "libtermb.so", int(port or 1001))
    return SimulatedReader() if kind == "simulated" else None


class CardWatcher:
    """Polls a reader in a thread (a vendor read blocks for up to a second: never on the UI thread) and calls
    `on_card(card)` once when a card is put on (or another card replaces it), `on_error(exc)` once per run
    of failed reads."""

    def __init__(self, reader: IdCardReader, on_card: Callable[[CardData], None],
                 on_error: Callable[[Exception], None], interval: float = 0.3) -> None:
        self.reader, self.on_card, self.on_error, self.interval = reader, on_card, on_error, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="id-card-reader", daemon=True)

    def start(self) -> "CardWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)

    def _run(self) -> None:
        last, failing = None, False
        while not self._stop.wait(self.interval):
            try:
                card = self.reader.read()
            except Exception as exc:  # noqa: BLE001 - a vendor library fails in many ways; say so once
                if not failing:
                    self.on_error(exc)
                failing = True
                continue
            failing = False
            if card is not None and card != last:
                try:
                    self.on_card(card)
                except Exception as exc:  # noqa: BLE001 - the watcher must outlive one bad delivery, or cards stop working
                    log.error("an ID card could not be delivered: %s", type(exc).__name__)  # never the card's data
            last = card


def sdt_text(card: CardData, address: str = "上海市青浦区华青南路828号") -> bytes:
    """The bytes an SDT reader would deliver for `card` (for the simulator and tests)."""
    values = {"name": card.name, "sex": card.sex, "nation": "01", "birth": card.birth, "address": address,
              "id_number": card.id_number, "authority": "青浦分局", "valid_from": "20200101", "valid_to": "20400101"}
    return b"".join(values[n].ljust(size // 2).encode("utf-16-le")[:size] for n, size in _SDT_FIELDS).ljust(256, b"\x00")
