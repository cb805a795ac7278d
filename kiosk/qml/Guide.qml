// 查询·办事指南: a search box fed by the kiosk's own keyboard (letters for pinyin and its initials, digits, space,
// delete, clear: no IME), quick questions, results as one types, and a matter's page with its ticket in one tap.
// State lives in `kiosk` (kiosk/guide.py: view.guide).
import QtQuick
import QtQuick.Layouts

Item {
    id: page
    required property var th
    required property var t
    required property var v
    required property real u
    required property bool english
    required property bool portrait
    readonly property var g: v.guide || {}
    readonly property var m: g.matter || {}
    readonly property var told: g.told || {}
    // keys: at least 80 px high for an old hand; in landscape the rows follow the page's height
    // (in landscape the box and five rows of keys share the page's height, elder mode included)
    // and in portrait the keys leave the results room, elder mode's larger type included
    readonly property real keyH: Math.max(80, portrait ? Math.min(118 * u, 0.07 * height)
                                                       : Math.min(110 * u, (height - 56 * u) / 6.1))
    readonly property real boxH: portrait ? 110 * u : 1.1 * keyH
    readonly property var rows: ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]
    function nameOf(o) { return o ? (english && o.name_en ? o.name_en : (o.name || "")) : "" }

    component Key: Rectangle {
        id: cap
        property string code
        property string label: code.toUpperCase()
        property color fill: page.th.paper
        objectName: "guideKey_" + code
        radius: 10 * page.u; color: area.pressed ? Qt.darker(fill, 1.15) : fill
        border.color: page.th.line; border.width: 2
        Layout.fillWidth: true; Layout.preferredHeight: page.keyH; Layout.preferredWidth: 10
        Label { anchors.centerIn: parent; width: parent.width - 12 * page.u; horizontalAlignment: Text.AlignHCenter
                text: cap.label; font.pixelSize: Math.min(40 * page.u, page.keyH * 0.45); font.bold: true
                fontSizeMode: Text.HorizontalFit; minimumPixelSize: 18; color: page.th.ink }
        MouseArea { id: area; anchors.fill: parent; onClicked: kiosk.guideKey(cap.code) }
    }

    // the quick questions: under the box in portrait, above the results in landscape (the keys need the height)
    component Chips: Flow {
        Layout.fillWidth: true; spacing: 12 * page.u
        Repeater {
            model: 6
            Rectangle {
                objectName: "guideChip_" + index
                height: Math.max(80, 84 * page.u); width: chipText.implicitWidth + 44 * page.u
                radius: height / 2; color: chipArea.pressed ? page.th.lake : page.th.paper
                border.color: page.th.lake; border.width: 3
                Label { id: chipText; anchors.centerIn: parent; text: page.t["guide_chip_" + index]
                        font.pixelSize: 32 * page.u; color: page.th.ink }
                MouseArea { id: chipArea; anchors.fill: parent; onClicked: kiosk.guideChip(index) }
            }
        }
    }

    // ---------------------------------------------------------- search: box, chips, keyboard, results
    GridLayout {
        objectName: "guideScreen"
        visible: page.v.screen === "guide"
        anchors.fill: parent
        columns: page.portrait ? 1 : 2
        rowSpacing: 18 * page.u; columnSpacing: 30 * page.u
        ColumnLayout {
            Layout.fillWidth: true; Layout.preferredWidth: 10; Layout.alignment: Qt.AlignTop
            spacing: 16 * page.u
            Rectangle {
                Layout.fillWidth: true; Layout.preferredHeight: page.boxH
                radius: page.th.radius; color: page.th.paper; border.color: page.th.celadonDark; border.width: 3
                Label { objectName: "guideQuery"; anchors { fill: parent; leftMargin: 30 * page.u; rightMargin: 30 * page.u }
                        verticalAlignment: Text.AlignVCenter; elide: Text.ElideLeft
                        text: page.g.query ? page.g.query + "▏" : page.t.guide_placeholder
                        color: page.g.query ? page.th.ink : page.th.inkSoft
                        font.pixelSize: Math.min((page.g.query ? 52 : 32) * page.u, page.boxH * (page.g.query ? 0.5 : 0.3)) }
            }
            Chips { visible: page.portrait }
            ColumnLayout {
                objectName: "guideKeyboard"
                Layout.fillWidth: true; spacing: 8 * page.u
                Repeater {
                    model: page.rows
                    RowLayout {
                        Layout.fillWidth: true; spacing: 8 * page.u
                        Layout.leftMargin: index * 24 * page.u; Layout.rightMargin: index * 24 * page.u
                        Repeater { model: modelData.split(""); Key { code: modelData } }
                    }
                }
                RowLayout {
                    Layout.fillWidth: true; spacing: 8 * page.u
                    Key { code: "space"; label: page.t.guide_key_space; Layout.preferredWidth: 40 }
                    Key { code: "del"; label: "⌫ " + page.t.guide_key_del; Layout.preferredWidth: 25; fill: page.th.amberSoft }
                    Key { code: "clear"; label: page.t.guide_key_clear; Layout.preferredWidth: 25; fill: page.th.amberSoft }
                }
            }
        }
        ColumnLayout {
            Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 10
            spacing: 12 * page.u
            Chips { visible: !page.portrait }
            Label { visible: (page.g.results || []).length > 0; text: page.t.guide_results; font.pixelSize: 32 * page.u
                    color: page.th.inkSoft }
            ColumnLayout {
                objectName: "guideNoResult"
                visible: page.g.no_result === true
                Layout.fillWidth: true; spacing: 14 * page.u
                Label { text: page.t.guide_no_result; font.pixelSize: 46 * page.u; font.bold: true; Layout.fillWidth: true }
                Label { objectName: "guideTry"; text: page.t.guide_try; font.pixelSize: 32 * page.u; color: page.th.inkSoft
                        Layout.fillWidth: true; wrapMode: Text.WordWrap }
                Label { objectName: "guideHelpDesk"; text: page.t.guide_help_desk; font.pixelSize: 32 * page.u
                        color: page.th.seal; Layout.fillWidth: true; wrapMode: Text.WordWrap }
            }
            ListView {
                id: results
                objectName: "guideResults"
                Layout.fillWidth: true; Layout.fillHeight: true
                clip: true; spacing: 12 * page.u
                model: page.g.results || []
                delegate: BigButton {
                    objectName: "guideResult_" + index
                    width: results.width; height: Math.max(100, (page.portrait ? 130 : 118) * page.u)
                    title: page.nameOf(modelData); titleSize: page.english ? 28 : 34; lines: 2
                    subtitle: (page.english ? modelData.department_en : modelData.department)
                              + (modelData.bundle ? " · " + page.t.guide_bundle : "")
                    fill: modelData.bundle ? page.th.tile : page.th.paper
                    textColor: modelData.bundle ? "white" : page.th.ink
                    border.color: page.th.line; border.width: 2
                    onTapped: kiosk.guideOpen(index)
                }
            }
        }
    }

    // ---------------------------------------------------------- a matter's page
    ColumnLayout {
        objectName: "guideMatterScreen"
        visible: page.v.screen === "guide_matter"
        anchors.fill: parent
        spacing: 20 * page.u
        // portrait: the matter's facts above its list; landscape: side by side, so the list has the height it needs
        GridLayout {
            columns: page.portrait ? 1 : 2; columnSpacing: 40 * page.u; rowSpacing: 20 * page.u
            Layout.fillWidth: true; Layout.fillHeight: true
            ColumnLayout {
                spacing: 20 * page.u
                Layout.fillWidth: page.portrait; Layout.preferredWidth: page.portrait ? -1 : parent.width * 0.42
                Layout.maximumWidth: page.portrait ? 100000 : parent.width * 0.42
                Layout.alignment: Qt.AlignTop
                Label { objectName: "guideMatterName"; text: page.nameOf(page.m); font.pixelSize: (page.english ? 44 : 54) * page.u
                        font.bold: true; Layout.fillWidth: true; wrapMode: Text.WordWrap }
                Label { visible: page.m.bundle === true; text: page.t.guide_bundle; font.pixelSize: 32 * page.u; color: page.th.seal }
                GridLayout {
                    columns: 2; columnSpacing: 30 * page.u; rowSpacing: 14 * page.u; Layout.fillWidth: true
                    Label { text: page.t.guide_department; font.pixelSize: 34 * page.u; color: page.th.inkSoft }
                    Label { objectName: "guideMatterDepartment"; text: (page.english ? page.m.department_en : page.m.department) || ""; font.pixelSize: 36 * page.u
                            Layout.fillWidth: true; wrapMode: Text.WordWrap }
                    Label { text: page.t.guide_category; font.pixelSize: 34 * page.u; color: page.th.inkSoft }
                    Label { text: page.m.category ? page.t[page.m.category] || "" : ""; font.pixelSize: 36 * page.u }
                    Label { text: page.t.guide_served_at; font.pixelSize: 34 * page.u; color: page.th.inkSoft }
                    Label { objectName: "guideMatterWindows"; Layout.fillWidth: true; wrapMode: Text.WordWrap; font.pixelSize: 36 * page.u
                            text: page.t.guide_windows.arg((page.english ? page.m.queue_en : page.m.queue) || "").arg((page.m.windows || []).join(page.english ? ", " : "、")) }
                }
                // the guide: its version, the guided questions (one tap each, back always possible), the 一次告知 list
                Label { objectName: "guideVersion"; visible: !!page.told.item && !page.told.bundle; font.pixelSize: 30 * page.u
                        color: page.th.inkSoft
                        text: page.told.item ? page.t.guide_version.arg(page.told.version).arg(page.told.published) : "" }
                // a 一件事 bundle: the matters it does in one go, and those whose guide is not written yet
                Label { objectName: "guideBundleItems"; visible: page.told.bundle === true; font.pixelSize: 30 * page.u
                        color: page.th.inkSoft; Layout.fillWidth: true; wrapMode: Text.WordWrap
                        text: page.told.bundle ? page.t.guide_bundle_items.arg(page.told.items.length).arg(
                                  page.told.items.map(i => page.english ? i.name_en : i.name).join(page.english ? "; " : "、")) : "" }
                Label { objectName: "guideBundleMissing"; visible: (page.told.missing || []).length > 0; font.pixelSize: 30 * page.u
                        color: page.th.seal; Layout.fillWidth: true; wrapMode: Text.WordWrap
                        text: (page.told.missing || []).length ? page.t.guide_bundle_missing.arg(
                                  page.told.missing.map(i => page.english ? i.name_en : i.name).join(page.english ? ", " : "、")) : "" }
                Label { objectName: "guideOfflineVersion"; visible: page.told.offline === true; text: page.t.guide_offline_version
                        font.pixelSize: 30 * page.u; color: page.th.seal; Layout.fillWidth: true; wrapMode: Text.WordWrap }
            }
            Flickable {
                id: tellBox
                objectName: "guideTell"
                Layout.fillWidth: true; Layout.fillHeight: true
                clip: true; contentHeight: tell.implicitHeight; boundsBehavior: Flickable.StopAtBounds
                ColumnLayout {
                    id: tell
                    width: tellBox.width; spacing: 14 * page.u
                    Label { visible: !page.told.item; text: page.t.guide_no_guide; font.pixelSize: 34 * page.u
                            color: page.th.amberInk; Layout.fillWidth: true; wrapMode: Text.WordWrap }
                    Repeater {
                        model: page.told.answered || []
                        Label { font.pixelSize: 30 * page.u; color: page.th.inkSoft; Layout.fillWidth: true; wrapMode: Text.WordWrap
                                text: "✓ " + (page.english ? modelData.question_en + " " + modelData.answer_en
                                                             : modelData.question + modelData.answer) }
                    }
                    Label { objectName: "guideQuestion"; visible: !!page.told.question; font.pixelSize: 40 * page.u; font.bold: true
                            text: page.told.question ? (page.english ? page.told.question.text_en : page.told.question.text) : ""
                            Layout.fillWidth: true; wrapMode: Text.WordWrap }
                    Flow {
                        Layout.fillWidth: true; spacing: 16 * page.u
                        visible: !!page.told.question
                        Repeater {
                            model: page.told.question ? page.told.question.answers : []
                            BigButton {
                                objectName: "guideAnswer_" + index
                                // ≥ 15 mm for an old hand (BigButton's measure: 120 px at 1080 px)
                                width: (tell.width - 32 * page.u) / 3; height: Math.max(120, 130 * page.u)
                                title: page.english ? modelData.text_en : modelData.text; titleSize: page.english ? 30 : 36
                                fill: page.th.paper; textColor: page.th.ink; border.color: page.th.lake; border.width: 3
                                onTapped: kiosk.guideAnswer(index)
                            }
                        }
                    }
                    Rectangle {
                        objectName: "guideMaterials"
                        visible: !!page.told.item
                        Layout.fillWidth: true; implicitHeight: list.implicitHeight + 40 * page.u
                        radius: page.th.radius; color: page.th.amberSoft
                        ColumnLayout {
                            id: list
                            x: 30 * page.u; y: 20 * page.u; width: parent.width - 60 * page.u; spacing: 10 * page.u
                            Label { text: page.t.guide_tell; font.pixelSize: 36 * page.u; font.bold: true; color: page.th.amberInk }
                            Label { visible: page.told.final === false; text: page.t.guide_so_far; font.pixelSize: 28 * page.u
                                    color: page.th.amberInk; Layout.fillWidth: true; wrapMode: Text.WordWrap }
                            Repeater {
                                model: page.told.materials || []
                                Label {
                                    objectName: "guideMaterial_" + index
                                    Layout.fillWidth: true; wrapMode: Text.WordWrap; font.pixelSize: 32 * page.u; color: page.th.ink
                                    text: (index + 1) + ". " + (page.english ? modelData.name_en : modelData.name) + "  ·  "
                                          + page.t.guide_copies.arg(page.english ? modelData.form_en : modelData.form).arg(modelData.copies)
                                          + (modelData.required ? "" : "  ·  " + page.t.guide_if_needed)
                                }
                            }
                            Label { objectName: "guideDays"; font.pixelSize: 30 * page.u; color: page.th.inkSoft
                                    Layout.fillWidth: true; wrapMode: Text.WordWrap
                                    text: page.told.promised_days ? page.t.guide_days.arg(page.told.promised_days).arg(page.told.visits)
                                                                  : page.t.guide_at_once.arg(page.told.visits || 1) }
                        }
                    }
                }
            }
        }
        Label { objectName: "guidePrinted"; visible: !!page.g.printed; font.pixelSize: 30 * page.u; Layout.fillWidth: true
                wrapMode: Text.WordWrap; color: page.g.printed === "ok" ? page.th.celadonDark : page.th.seal
                text: page.g.printed === "ok" ? page.t.guide_printed : page.g.printed ? page.t.guide_print_failed : "" }
        RowLayout {
            Layout.fillWidth: true; spacing: 20 * page.u
            BigButton { objectName: "guideUndoButton"; visible: (page.told.answered || []).length > 0
                        title: page.t.guide_undo; titleSize: 34; fill: page.th.paper; textColor: page.th.ink
                        border.color: page.th.line; border.width: 2
                        Layout.preferredWidth: 10; Layout.fillWidth: true; implicitHeight: 170 * page.u; onTapped: kiosk.guideUndo() }
            BigButton { objectName: "guidePrintButton"; visible: !!page.told.item; title: page.t.guide_print; titleSize: 34
                        fill: page.th.celadonDark
                        Layout.preferredWidth: 10; Layout.fillWidth: true; implicitHeight: 170 * page.u; onTapped: kiosk.guidePrint() }
            BigButton { objectName: "guideTicketButton"; title: page.t.guide_take_ticket; fill: page.th.seal; icon: "ticket"
                        iconSize: 56; Layout.preferredWidth: 14; Layout.fillWidth: true; implicitHeight: 170 * page.u
                        onTapped: kiosk.guideTicket() }
        }
    }
}
