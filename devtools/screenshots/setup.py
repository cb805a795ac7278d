"""Screenshots of the set-up screen (qtbase/setup.py), zh and en: a village laptop set up against a district hub on
loopback (the test world: its site s2 is the village), a wrong code refused, a printer device file found and a test
page printed into it, a test scan typed by a keyboard-wedge scanner, the rating screen on a second monitor, ready;
the devices step in portrait too (a kiosk); a counter PC's done step naming its window.
`.venv/bin/python -m devtools.screenshots.setup` writes docs/screenshots/setup-<step>-{zh,en}.png."""
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest  # noqa: E402

from common.db.engine import make_engine, migrate  # noqa: E402
from common.domain.model import Role  # noqa: E402
from common.usecases import auth  # noqa: E402
from qtbase.app import LANDSCAPE, PORTRAIT, application, dispose_view  # noqa: E402
from qtbase.probes import type_keys, wait_for  # noqa: E402
from qtbase.setup import SetupModel, hub_engine, setup_view  # noqa: E402
from tests import world as W  # noqa: E402
from tests.conftest import LiveHub  # noqa: E402

OUT = Path("docs/screenshots")


def shoot(view, name: str, lang: str) -> None:
    QTest.qWait(150)
    view.grabWindow().save(str(OUT / f"setup-{name}-{lang[:2]}.png"))


def run(lang: str, live, world, tmp: Path) -> None:
    with world.hub.engine.begin() as c:
        code = auth.create_enrolment_code(c, site_id="s2", role=Role.hub, name="村居笔记本", now=world.clock.now())
    dev = tmp / lang / "dev"
    (dev / "usb").mkdir(parents=True)
    (dev / "usb" / "lp0").touch()  # a printer's device file: the test page's bytes go into it
    model = SetupModel(("village", "kiosk"), tmp / lang / "conf", tmp / lang / "data", now=world.clock.now,
                       dev=str(dev), engine_for=hub_engine, screens=2)  # a second monitor: the rating screen
    model.setLanguage(lang)
    view = setup_view(model, LANDSCAPE)
    view.show()
    shoot(view, "kind", lang)
    model.chooseKind("village")
    model.submitHub(live.url, "not-a-code")
    model.finish()
    wait_for(lambda: model.view["step"] == "hub" and model.view["error"], timeout=30)
    shoot(view, "hub-refused", lang)
    model.submitHub(live.url, code)
    model.testPrint()
    wait_for(lambda: model.view["print_result"], timeout=30)
    model.testScan()
    type_keys(view, "HB1:TEST\r")
    wait_for(lambda: model.view["scan_ok"], timeout=10)
    shoot(view, "devices", lang)
    view.resize(*PORTRAIT)
    shoot(view, "devices-portrait", lang)
    view.resize(*LANDSCAPE)
    model.finish()
    wait_for(lambda: model.view["step"] == "done", timeout=60)
    shoot(view, "done", lang)
    dispose_view(view)


def counter(lang: str, live, code: str, tmp: Path) -> None:
    """A counter PC whose code names its window: the done step says which, as the hub lists it."""
    model = SetupModel(("terminal",), tmp / lang / "counter-conf", tmp / lang / "counter-data", now=lambda: None)
    model.setLanguage(lang)
    view = setup_view(model, LANDSCAPE)
    view.show()
    model.submitHub(live.url, code)
    wait_for(lambda: model.view["step"] == "done", timeout=60)
    shoot(view, "done-counter", lang)
    dispose_view(view)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{tmp}/district.sqlite3")
    migrate(engine)
    world = W.build(engine)
    application()
    with LiveHub(world.hub) as live:
        for lang in ("zh_CN", "en"):
            run(lang, live, world, tmp)
            counter(lang, live, world.codes[f"terminal{1 if lang == 'en' else 2}"], tmp)
    print("docs/screenshots/setup-{kind,hub-refused,devices,devices-portrait,done,done-counter}-{zh,en}.png")


if __name__ == "__main__":
    main()
