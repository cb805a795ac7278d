"""What a receipt printer would print from our ESC/POS bytes, for tests: the native QR codes (GS ( k) drawn as the
printer draws them (its module size, its error-correction level) and read back by the kiosk's real QR decoder, so
a test checks the code a phone would scan, not only the bytes we meant to send."""
from __future__ import annotations

import numpy as np
import qrcode

from common.devices.scanner import best_decoder

GS_K = b"\x1d(k"
_EC = {0: qrcode.constants.ERROR_CORRECT_L, 1: qrcode.constants.ERROR_CORRECT_M,
       2: qrcode.constants.ERROR_CORRECT_Q, 3: qrcode.constants.ERROR_CORRECT_H}


def _commands(data: bytes):
    """(fn, parameters) of each QR command (cn "1"): GS ( k pL pH cn fn parameters."""
    at = data.find(GS_K)
    while at >= 0:
        length = int.from_bytes(data[at + 3:at + 5], "little")
        body = data[at + 5:at + 5 + length]
        if body[:1] == b"1":
            yield body[1], body[2:]
        at = data.find(GS_K, at + 5 + length)


def printed_qr_texts(data: bytes) -> list[str]:
    """The text of each QR code the bytes print, as the real decoder reads the printed symbol."""
    size, ec, found = 3, 0, []
    for fn, params in _commands(data):
        if fn == ord("C"):
            size = params[0]
        elif fn == ord("E"):
            ec = params[0] - 48
        elif fn == ord("P"):  # store: "0" then the data (printed by the "Q" that follows)
            code = qrcode.QRCode(box_size=size, border=4, error_correction=_EC[ec])
            code.add_data(params[1:].decode("utf-8"))
            image = code.make_image().get_image().convert("L")
            found += best_decoder().decode(np.asarray(image, dtype=np.uint8))
    return found
