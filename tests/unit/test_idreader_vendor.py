"""The real ctypes adapters (common/devices/idreader.py) against a fake vendor library built here with gcc: a tiny
C shared library exposing the SDT family's and the CVR family's functions the adapters call, with a card on it or
none, and only port 1001 answering. The card's bytes are the SDT base message `sdt_text` makes (UCS-2) and GBK
for the CVR getters, as the vendors deliver them."""
from __future__ import annotations

import subprocess

import pytest

from common.devices.idreader import CardData, CvrReader, ReaderFailed, SdtReader, open_reader, sdt_text

CARD = CardData(name="张三丰", id_number="31011519800101001X", sex="1", birth="19800101")


def c_bytes(data: bytes) -> str:
    return ", ".join(str(b) for b in data)


def c_getter(name: str, value: str) -> str:
    data = value.encode("gbk")
    return (f"static const unsigned char {name}_v[] = {{{c_bytes(data)}}};\n"
            f"int {name}(char *buf, int *len) {{ memcpy(buf, {name}_v, {len(data)}); *len = {len(data)}; return 1; }}\n")


SOURCE = f"""
#include <string.h>
static int card = 1;
void fake_set_card(int on) {{ card = on; }}
static const unsigned char text[256] = {{{c_bytes(sdt_text(CARD))}}};
int SDT_OpenPort(int port) {{ return port == 1001 ? 144 : 1; }}
int SDT_ClosePort(int port) {{ return 144; }}
int SDT_StartFindIDCard(int port, char *manage, int open) {{ return card ? 159 : 128; }}
int SDT_SelectIDCard(int port, char *manage, int open) {{ return 144; }}
int SDT_ReadBaseMsg(int port, char *t, unsigned *tlen, char *photo, unsigned *plen, int open) {{
    memcpy(t, text, 256); *tlen = 256; *plen = 0; return 144; }}
int CVR_InitComm(int port) {{ return port == 1001 ? 1 : 0; }}
int CVR_Authenticate(void) {{ return card ? 1 : 0; }}
int CVR_Read_Content(int active) {{ return active == 4 ? 1 : 0; }}
int CVR_CloseComm(void) {{ return 1; }}
{c_getter("GetPeopleName", CARD.name)}{c_getter("GetPeopleIDCode", CARD.id_number)}
{c_getter("GetPeopleSex", CARD.sex)}{c_getter("GetPeopleBirthday", CARD.birth)}
"""


@pytest.fixture(scope="module")
def vendor_library(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("vendor")
    (folder / "fake.c").write_text(SOURCE)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(folder / "libfakeid.so"), str(folder / "fake.c")], check=True)
    return str(folder / "libfakeid.so")


@pytest.mark.parametrize("family", ["sdt", "cvr"])
def test_the_real_adapter_reads_the_card_the_vendor_library_delivers(vendor_library, family):
    reader = open_reader(f"{family}:{vendor_library}:1001")
    assert isinstance(reader, SdtReader if family == "sdt" else CvrReader)
    assert reader.read() == CARD
    reader.lib.fake_set_card(0)
    assert reader.read() is None  # no card on the reader
    reader.lib.fake_set_card(1)
    assert reader.read() == CARD


@pytest.mark.parametrize("family", ["sdt", "cvr"])
def test_a_reader_not_on_its_port_and_a_missing_library_are_refused(vendor_library, family):
    with pytest.raises(ReaderFailed) as caught:
        open_reader(f"{family}:{vendor_library}:1002")
    assert caught.value.key == "reader_not_connected"
    with pytest.raises(OSError):
        open_reader(f"{family}:/nonexistent/libnothing.so:1001")
