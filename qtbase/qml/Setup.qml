// The set-up screen (qtbase/setup.py): kind of machine, hub and code, printer and scanner, then ready.
// Touch targets at least 96 units high (about 9 mm at 1080 px); texts from i18n/setup.json.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: root
    readonly property real u: Math.min(width, height) / 1080
    readonly property var v: setup.view
    readonly property var t: setup.texts
    color: setup.theme.wall

    component Words: Text {
        color: setup.theme.ink; font.family: setup.theme.fontFamily; wrapMode: Text.WordWrap
        font.pixelSize: 34 * root.u; Layout.fillWidth: true
    }
    component Button: Rectangle {
        id: b
        property string title
        property string sub
        property bool primary: true
        property bool enabledHere: true
        signal tapped
        radius: setup.theme.radius
        opacity: enabledHere ? 1 : 0.45
        color: !primary ? setup.theme.paper : area.pressed ? setup.theme.celadonDark : setup.theme.celadon
        border.color: primary ? "transparent" : setup.theme.line; border.width: 2 * root.u
        implicitHeight: Math.max(104 * root.u, col.implicitHeight + 36 * root.u)
        implicitWidth: Math.max(300 * root.u, col.implicitWidth + 60 * root.u)
        ColumnLayout {
            id: col; anchors.centerIn: parent; width: parent.width - 40 * root.u; spacing: 6 * root.u
            Words { text: b.title; color: b.primary ? "white" : setup.theme.ink; font.bold: true
                    font.pixelSize: 38 * root.u; horizontalAlignment: Text.AlignHCenter }
            Words { text: b.sub; visible: b.sub !== ""; color: b.primary ? "white" : setup.theme.inkSoft
                    font.pixelSize: 28 * root.u; horizontalAlignment: Text.AlignHCenter }
        }
        MouseArea { id: area; anchors.fill: parent; onClicked: if (b.enabledHere) b.tapped() }
    }
    component Field: ColumnLayout {
        id: f
        property string inputName
        property string label
        property string hint
        property alias text: input.text
        property alias input: input
        spacing: 8 * root.u
        Layout.fillWidth: true
        Words { text: f.label; font.bold: true }
        Rectangle {
            Layout.fillWidth: true; implicitHeight: 100 * root.u; radius: setup.theme.radius / 2
            color: "white"; border.color: input.activeFocus ? setup.theme.celadon : setup.theme.line; border.width: 3 * root.u
            TextInput { id: input; objectName: f.inputName; anchors.fill: parent; anchors.margins: 24 * root.u; clip: true
                        font.pixelSize: 40 * root.u; font.family: setup.theme.fontFamily; color: setup.theme.ink
                        verticalAlignment: TextInput.AlignVCenter; inputMethodHints: Qt.ImhNoAutoUppercase
                        maximumLength: 200 }
            MouseArea { anchors.fill: parent; onClicked: input.forceActiveFocus() }
        }
        Words { text: f.hint; color: setup.theme.inkSoft; font.pixelSize: 28 * root.u }
    }
    component Choice: Rectangle {
        id: c
        property string label
        property bool chosen
        signal tapped
        Layout.fillWidth: true
        implicitHeight: Math.max(96 * root.u, w.implicitHeight + 30 * root.u)
        radius: setup.theme.radius / 2
        color: chosen ? setup.theme.amberSoft : setup.theme.paper
        border.color: chosen ? setup.theme.amber : setup.theme.line; border.width: (chosen ? 4 : 2) * root.u
        Words { id: w; anchors.verticalCenter: parent.verticalCenter; x: 28 * root.u; width: parent.width - 56 * root.u
                text: (c.chosen ? "● " : "○ ") + c.label }
        MouseArea { anchors.fill: parent; onClicked: c.tapped() }
    }

    Rectangle {  // the heading band
        id: band; width: parent.width; height: 120 * root.u; color: setup.theme.tile
        Words { anchors.verticalCenter: parent.verticalCenter; x: 48 * root.u; width: parent.width - 440 * root.u
                height: parent.height; verticalAlignment: Text.AlignVCenter; wrapMode: Text.NoWrap
                fontSizeMode: Text.HorizontalFit; minimumPixelSize: 28 * root.u
                text: root.t.title; color: "white"; font.pixelSize: 46 * root.u; font.bold: true }
        Button { objectName: "language"; primary: false; anchors.right: parent.right; anchors.rightMargin: 36 * root.u
                 anchors.verticalCenter: parent.verticalCenter; implicitHeight: 88 * root.u; title: root.t.language
                 onTapped: setup.setLanguage(setup.language === "en" ? "zh_CN" : "en") }
    }

    Item {
        anchors { top: band.bottom; left: parent.left; right: parent.right; bottom: parent.bottom; margins: 48 * root.u }

        ColumnLayout {  // the kind of machine
            visible: root.v.step === "kind"
            anchors.horizontalCenter: parent.horizontalCenter; width: Math.min(parent.width, 1100 * root.u)
            spacing: 28 * root.u
            Words { text: root.t.kind_question; font.pixelSize: 48 * root.u; font.bold: true }
            Repeater {
                model: root.v.kinds
                Button { objectName: "kind_" + modelData; Layout.fillWidth: true
                         title: root.t["kind_" + modelData]; sub: root.t["kind_" + modelData + "_sub"]
                         onTapped: setup.chooseKind(modelData) }
            }
        }

        ColumnLayout {  // the hub and the code
            visible: root.v.step === "hub"
            anchors.horizontalCenter: parent.horizontalCenter; width: Math.min(parent.width, 1100 * root.u)
            spacing: 24 * root.u
            Words { text: root.v.kind === "village" ? root.t.hub_title_village : root.t.hub_title_station
                    font.pixelSize: 48 * root.u; font.bold: true }
            Field { id: url; inputName: "hubUrlInput"; label: root.t.hub_url; hint: root.t.hub_url_hint; text: root.v.hub_url }
            Field { id: code; inputName: "hubCodeInput"; label: root.t.code; hint: root.t.code_hint; text: root.v.code }
            Words { objectName: "error"; text: root.v.error; visible: text !== ""; color: setup.theme.seal; font.bold: true }
            RowLayout {
                spacing: 24 * root.u; Layout.fillWidth: true
                Button { objectName: "back"; primary: false; title: root.t.back; visible: root.v.kinds.length > 1
                         onTapped: setup.back() }
                Item { Layout.fillWidth: true }
                Button { objectName: "next"; title: root.v.kind === "terminal" ? root.t.finish : root.t.next
                         onTapped: setup.submitHub(url.text, code.text) }
            }
        }

        GridLayout {  // the printer and the scanner: side by side in landscape, one above the other in portrait
            id: devices
            visible: root.v.step === "devices"
            anchors.fill: parent
            columns: root.width > root.height ? 2 : 1
            columnSpacing: 48 * root.u; rowSpacing: 24 * root.u
            ColumnLayout {
                Layout.fillWidth: true; Layout.alignment: Qt.AlignTop; Layout.preferredWidth: 1; spacing: 16 * root.u
                Words { text: root.t.printer; font.pixelSize: 44 * root.u; font.bold: true }
                Words { objectName: "printersFound"; text: root.v.printers_found; color: setup.theme.inkSoft }
                Repeater {
                    model: root.v.printers
                    Choice { objectName: "printer_" + index; label: modelData.label; chosen: root.v.printer === modelData.spec
                             onTapped: setup.choosePrinter(modelData.spec) }
                }
                RowLayout {
                    spacing: 24 * root.u
                    Button { objectName: "testPrint"; title: root.t.test_print; enabledHere: !root.v.busy
                             onTapped: setup.testPrint() }
                    Button { objectName: "detect"; primary: false; title: root.t.detect_again; onTapped: setup.detect() }
                }
                Words { objectName: "printResult"; text: root.v.print_result; visible: text !== ""; font.bold: true
                        color: root.v.print_ok ? setup.theme.celadonDark : setup.theme.seal }
            }
            ColumnLayout {
                Layout.fillWidth: true; Layout.alignment: Qt.AlignTop; Layout.preferredWidth: 1; spacing: 16 * root.u
                Words { text: root.t.scanner; font.pixelSize: 44 * root.u; font.bold: true }
                Repeater {
                    model: root.v.scanners
                    Choice { objectName: "scanner_" + index; label: modelData.label; chosen: root.v.scanner === modelData.spec
                             onTapped: setup.chooseScanner(modelData.spec) }
                }
                Button { objectName: "testScan"; title: root.t.test_scan; enabledHere: root.v.scanner !== "none"
                         onTapped: setup.testScan() }
                Words { objectName: "scanResult"; text: root.v.scan_result; visible: text !== ""; font.bold: true
                        color: root.v.scan_ok ? setup.theme.celadonDark : root.v.scanning ? setup.theme.amberInk : setup.theme.seal }
                Words { text: root.t.rating; visible: root.v.kind === "village"; font.pixelSize: 44 * root.u; font.bold: true
                        Layout.topMargin: 24 * root.u }
                Repeater {  // a village laptop's terminal: the citizen's rating screen on a second monitor, or none
                    model: root.v.kind === "village" ? root.v.ratings : []
                    Choice { objectName: "rating_" + modelData.spec; label: modelData.label
                             chosen: root.v.rating === modelData.spec; onTapped: setup.chooseRating(modelData.spec) }
                }
            }
            RowLayout {
                Layout.columnSpan: devices.columns; Layout.fillWidth: true; Layout.alignment: Qt.AlignBottom
                spacing: 24 * root.u
                Button { objectName: "back"; primary: false; title: root.t.back; onTapped: setup.back() }
                Item { Layout.fillWidth: true }
                Button { objectName: "finish"; title: root.t.finish; enabledHere: !root.v.busy; onTapped: setup.finish() }
            }
        }

        Words {  // enrolling
            objectName: "working"; visible: root.v.step === "working"; anchors.centerIn: parent
            width: Math.min(parent.width, 1100 * root.u); horizontalAlignment: Text.AlignHCenter
            text: root.t.working; font.pixelSize: 44 * root.u
        }

        ColumnLayout {  // ready
            visible: root.v.step === "done"
            anchors.horizontalCenter: parent.horizontalCenter; width: Math.min(parent.width, 1100 * root.u)
            spacing: 24 * root.u
            Words { objectName: "doneTitle"; text: root.t.done_title; font.pixelSize: 56 * root.u; font.bold: true
                    color: setup.theme.celadonDark }
            Words { text: root.t.done_site.replace("{site}", root.v.done.site_name || root.v.done.site_id || "") }
            Words { objectName: "doneWindow"; text: root.v.done.window_text || ""; visible: text !== "" }
            Words { text: root.t.done_again; visible: root.v.done.again === true; color: setup.theme.inkSoft }
            Words { text: root.t.done_files; color: setup.theme.inkSoft; font.pixelSize: 28 * root.u }
            Repeater {
                model: root.v.done.files || []
                Words { text: modelData; color: setup.theme.inkSoft; font.pixelSize: 26 * root.u; wrapMode: Text.WrapAnywhere }
            }
            Button { objectName: "start"; Layout.alignment: Qt.AlignRight; title: root.t.start; onTapped: setup.start() }
        }
    }
}
