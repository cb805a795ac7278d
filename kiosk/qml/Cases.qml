// 办不成事: which matter, what went wrong, a mobile number (optional), a few words (optional), confirm, then the
// case number with the QR of its page. Big rows and keys for elderly citizens; no text keyboard. State lives in
// `kiosk` (kiosk/model.py: view.case while reporting, view.case_done after).
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
    readonly property string screen: v.screen
    // heights of keys and buttons: in landscape the page is short, and elder mode's larger unit would push the last
    // row under the footer; there they follow the page's height instead (fonts keep the elder size)
    readonly property real vu: portrait ? u : Math.min(u, height / 640)
    readonly property var c: v.case || {}
    readonly property var done: v.case_done || {}
    // landscape, offline: the note about sending the case later takes room; the number is smaller to keep it all
    readonly property bool tight: !portrait && done.offline === true
    readonly property var causes: ["policy", "system", "materials", "attitude", "other"]
    readonly property var words: ["case_word_many_trips", "case_word_which_department", "case_word_call_soon",
                                  "case_word_online_too"]
    function nameOf(o) { return o ? (english && o.name_en ? o.name_en : (o.name || "")) : t.case_other_matter }
    function spaced(p) { return p.length <= 3 ? p : p.length <= 7 ? p.slice(0, 3) + " " + p.slice(3)
                                                 : p.slice(0, 3) + " " + p.slice(3, 7) + " " + p.slice(7) }
    function masked(p) { return p ? p.slice(0, 3) + "****" + p.slice(-4) : t.case_none }
    readonly property var summaryRows: [
        [t.case_matter_label, nameOf(c.matter)],
        [t.case_cause_label, c.cause ? t["case_cause_" + c.cause] : ""],
        [t.case_phone_label, masked(c.phone)],
        [t.case_words_label, (c.words || []).length ? words.filter(w => c.words.indexOf(w) >= 0).map(w => t[w]).join("\n")
                                                    : t.case_none]]

    component Title: Label { font.pixelSize: 52 * page.vu; font.bold: true; Layout.fillWidth: true }
    component Hint: Label { font.pixelSize: 32 * page.u; color: page.th.inkSoft; Layout.fillWidth: true }
    // the network is down: the kiosk still registers, and says the case goes to the centre later (docs/cases.md)
    component OfflineNote: Rectangle {
        property string text: page.t.case_offline_hint
        property real size: 32
        Layout.fillWidth: true
        implicitHeight: offlineNote.implicitHeight + 36 * page.u
        radius: page.th.radius; color: page.th.amberSoft
        Label { id: offlineNote; anchors.centerIn: parent; width: parent.width - 48 * page.u; text: parent.text
                font.pixelSize: parent.size * page.u; color: page.th.amberInk }
    }

    // ---------------------------------------------------------- which matter
    ColumnLayout {
        objectName: "caseMatterScreen"
        visible: page.screen === "case_matter"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Title { text: page.t.case_matter_title }
        OfflineNote { objectName: "caseOfflineNote"; visible: !page.v.online }
        GridView {
            id: matterList
            objectName: "caseMatterList"
            Layout.fillWidth: true; Layout.fillHeight: true
            clip: true
            cellWidth: width / (page.portrait ? 1 : 2); cellHeight: 166 * page.u
            model: page.v.matters || []
            delegate: Item {
                width: matterList.cellWidth; height: matterList.cellHeight
                BigButton {
                    objectName: "caseMatter_" + index
                    anchors { fill: parent; leftMargin: page.portrait || index % 2 === 0 ? 0 : 8 * page.u
                              rightMargin: page.portrait || index % 2 === 1 ? 0 : 8 * page.u; bottomMargin: 16 * page.u }
                    title: page.english && modelData.name_en ? modelData.name_en : modelData.name
                    titleSize: page.english ? 32 : 38; lines: 2
                    subtitle: page.english && modelData.department_en ? modelData.department_en : modelData.department
                    fill: page.th.paper; textColor: page.th.ink; border.color: page.th.line; border.width: 2
                    onTapped: kiosk.caseMatter(index)
                }
            }
        }
        Hint { visible: page.portrait; text: page.t.case_matter_hint; horizontalAlignment: Text.AlignHCenter }
        BigButton { objectName: "caseOtherMatter"; title: page.t.case_other_matter; subtitle: page.t.case_other_matter_sub
                    fill: page.th.tile; Layout.fillWidth: true; implicitHeight: 160 * page.u; titleSize: 40
                    onTapped: kiosk.caseMatter(-1) }
    }

    // ---------------------------------------------------------- what went wrong
    ColumnLayout {
        objectName: "caseCauseScreen"
        visible: page.screen === "case_cause"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Title { text: page.t.case_cause_title }
        // (landscape in elder mode: no room for the reminder of the matter; the confirm screen shows it again)
        Hint { text: page.t.case_matter_label + "：" + page.nameOf(page.c.matter); visible: page.portrait || !page.v.elder }
        GridLayout {
            Layout.fillWidth: true; Layout.fillHeight: true
            columns: page.portrait ? 1 : 2
            rowSpacing: page.th.gap * page.vu; columnSpacing: page.th.gap * page.u
            Repeater {
                model: page.causes
                BigButton { objectName: "caseCause_" + modelData; title: page.t["case_cause_" + modelData]
                            titleSize: page.english ? 36 : 42
                            Layout.fillWidth: true; Layout.fillHeight: true; Layout.minimumHeight: (page.portrait ? 130 : 110) * page.vu
                            Layout.maximumHeight: 220 * page.u; Layout.columnSpan: !page.portrait && index === 4 ? 2 : 1
                            fill: page.c.cause === modelData ? page.th.seal : index === 4 ? page.th.tile : page.th.celadonDark
                            onTapped: kiosk.caseCause(modelData) }
            }
        }
    }

    // ---------------------------------------------------------- a mobile number, on a keypad
    GridLayout {
        objectName: "casePhoneScreen"
        visible: page.screen === "case_phone"
        anchors.fill: parent
        columns: page.portrait ? 1 : 2
        rowSpacing: page.th.gap * page.u; columnSpacing: 60 * page.u
        // portrait: the number, the keypad, the buttons; landscape: the number and the buttons left of the keypad
        ColumnLayout {
            Layout.row: 0; Layout.column: 0
            Layout.fillWidth: true; Layout.fillHeight: !page.portrait; Layout.preferredWidth: 1
            spacing: page.th.gap * page.u
            Title { text: page.t.case_phone_title }
            Hint { text: page.t.case_phone_optional }
            Rectangle {
                Layout.fillWidth: true; implicitHeight: 130 * page.vu
                radius: page.th.radius; color: page.th.paper
                border.color: page.c.phone_error ? page.th.seal : page.th.line; border.width: 3
                Label { objectName: "casePhoneShown"; anchors.centerIn: parent
                        text: page.c.phone ? page.spaced(page.c.phone) : page.t.case_phone_placeholder
                        font.pixelSize: (page.c.phone ? 64 : 36) * page.u; font.bold: !!page.c.phone
                        color: page.c.phone ? page.th.ink : page.th.inkSoft }
            }
            Label { objectName: "casePhoneError"; text: page.c.phone_error ? page.t.case_phone_invalid : " "
                    font.pixelSize: 32 * page.u; color: page.th.seal; Layout.fillWidth: true }
            Item { visible: !page.portrait; Layout.fillHeight: true }
        }
        GridLayout {
            Layout.row: page.portrait ? 1 : 0; Layout.column: page.portrait ? 0 : 1; Layout.rowSpan: page.portrait ? 1 : 2
            Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1
            columns: 3
            rowSpacing: page.th.gap * page.u; columnSpacing: page.th.gap * page.u
            Repeater {
                model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "clear"]
                BigButton { objectName: "caseKey_" + modelData
                            title: modelData === "del" ? page.t.case_key_delete : modelData === "clear" ? page.t.case_key_clear : modelData
                            titleSize: modelData.length === 1 ? 64 : 36
                            Layout.fillWidth: true; Layout.fillHeight: true; Layout.minimumHeight: (page.portrait ? 110 : 70) * page.vu
                            Layout.maximumHeight: 190 * page.u
                            fill: modelData.length === 1 ? page.th.paper : page.th.wall; textColor: page.th.ink
                            border.color: page.th.line; border.width: 2
                            onTapped: kiosk.caseKey(modelData) }
            }
        }
        RowLayout {
            Layout.row: page.portrait ? 2 : 1; Layout.column: 0
            Layout.fillWidth: true; Layout.preferredWidth: 1
            spacing: page.th.gap * page.u
            BigButton { objectName: "caseSkipPhone"; title: page.t.case_skip_phone; Layout.fillWidth: true
                        implicitHeight: 150 * page.vu; titleSize: 40
                        fill: page.th.paper; textColor: page.th.ink; border.color: page.th.line; border.width: 2
                        onTapped: kiosk.caseSkipPhone() }
            BigButton { objectName: "casePhoneNext"; title: page.t.case_next; Layout.fillWidth: true
                        implicitHeight: 150 * page.vu; titleSize: 40; fill: page.th.seal
                        onTapped: kiosk.casePhoneNext() }
        }
    }

    // ---------------------------------------------------------- a few words, tapped
    ColumnLayout {
        objectName: "caseWordsScreen"
        visible: page.screen === "case_words"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Title { text: page.t.case_words_title }
        Hint { text: page.t.case_words_sub }
        GridLayout {
          Layout.fillWidth: true; Layout.fillHeight: true
          columns: page.portrait ? 1 : 2
          rowSpacing: page.th.gap * page.u; columnSpacing: page.th.gap * page.u
          Repeater {
            model: page.words
            BigButton { objectName: "caseWord_" + index
                        readonly property bool chosen: (page.c.words || []).indexOf(modelData) >= 0
                        title: page.t[modelData]; titleSize: page.english ? 34 : 40
                        icon: chosen ? "check" : ""; iconSize: 48
                        Layout.fillWidth: true; Layout.fillHeight: true; Layout.minimumHeight: (page.portrait ? 130 : 80) * page.vu
                        Layout.maximumHeight: 220 * page.u
                        fill: chosen ? page.th.celadonDark : page.th.paper; textColor: chosen ? "white" : page.th.ink
                        border.color: chosen ? page.th.celadonDark : page.th.line; border.width: 3
                        onTapped: kiosk.caseWord(modelData) }
          }
        }
        BigButton { objectName: "caseWordsNext"; title: page.t.case_next; fill: page.th.seal; Layout.fillWidth: true
                    implicitHeight: 160 * page.vu; onTapped: kiosk.caseWordsNext() }
    }

    // ---------------------------------------------------------- confirm (and what went wrong, if it did)
    ColumnLayout {
        objectName: "caseConfirmScreen"
        visible: page.screen === "case_confirm"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Title { text: page.t.case_confirm_title }
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: summary.implicitHeight + 48 * page.u
            radius: page.th.radius; color: page.th.paper; border.color: page.th.line; border.width: 2
            GridLayout {
                id: summary
                objectName: "caseSummary"
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 32 * page.u }
                columns: 2; columnSpacing: 28 * page.u; rowSpacing: 18 * page.u
                Repeater {
                    model: page.summaryRows
                    Label { text: modelData[0]; font.pixelSize: 34 * page.u; color: page.th.inkSoft
                            Layout.row: index; Layout.column: 0; Layout.alignment: Qt.AlignTop }
                }
                Repeater {
                    model: page.summaryRows
                    Label { objectName: "caseSummary_" + index; text: modelData[1]; font.pixelSize: 38 * page.u
                            font.bold: index < 2; Layout.row: index; Layout.column: 1; Layout.fillWidth: true }
                }
            }
        }
        // offline or refused: both languages at once, the choices above kept
        Rectangle {
            objectName: "caseError"
            visible: !!(page.c.error && page.c.error.zh)
            Layout.fillWidth: true
            implicitHeight: errorColumn.implicitHeight + 48 * page.u
            radius: page.th.radius; color: page.th.amberSoft; border.color: page.th.seal; border.width: 3
            ColumnLayout {
                id: errorColumn
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 32 * page.u }
                spacing: 12 * page.u
                Label { text: page.t.case_failed_title; font.pixelSize: 40 * page.u; font.bold: true; color: page.th.seal
                        Layout.fillWidth: true }
                Label { objectName: "caseErrorZh"; text: page.c.error ? page.c.error.zh || "" : ""; font.pixelSize: 34 * page.u
                        color: page.th.ink; Layout.fillWidth: true }
                Label { objectName: "caseErrorEn"; text: page.c.error ? page.c.error.en || "" : ""; font.pixelSize: 28 * page.u
                        color: page.th.inkSoft; Layout.fillWidth: true }
                Label { text: page.t.case_nothing_lost; font.pixelSize: 30 * page.u; color: page.th.celadonDark
                        Layout.fillWidth: true }
            }
        }
        Item { Layout.fillHeight: true }
        BigButton { objectName: "caseSubmit"; fill: page.th.seal; Layout.fillWidth: true; implicitHeight: 190 * page.u
                    title: page.v.busy ? page.t.case_submitting : page.c.error && page.c.error.zh ? page.t.case_retry
                           : page.t.case_submit
                    onTapped: kiosk.caseSubmit() }
    }

    // ---------------------------------------------------------- registered: the number, the QR of its page
    GridLayout {
        objectName: "caseDoneScreen"
        visible: page.screen === "case_done"
        anchors.fill: parent
        columns: page.portrait ? 1 : 2
        columnSpacing: 60 * page.u; rowSpacing: 20 * page.u
        ColumnLayout {
            Layout.row: 0; Layout.column: 0; Layout.rowSpan: page.portrait ? 1 : 2
            Layout.fillWidth: true; Layout.alignment: Qt.AlignVCenter
            spacing: (page.tight ? 6 : 14) * page.u
            Label { text: page.t.case_done_title; font.pixelSize: 52 * page.u; font.bold: true; color: page.th.celadonDark
                    Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            Label { text: page.t.case_number_label; font.pixelSize: 36 * page.u; Layout.alignment: Qt.AlignHCenter }
            Label { objectName: "caseNumber"; text: page.done.number || ""; font.pixelSize: (page.portrait ? 120 : page.tight ? 72 : 100) * page.u
                    font.bold: true; color: page.th.seal; Layout.alignment: Qt.AlignHCenter; font.letterSpacing: 4 * page.u }
            Label { text: page.t.case_date.arg(page.done.day || ""); font.pixelSize: 32 * page.u; color: page.th.inkSoft
                    Layout.alignment: Qt.AlignHCenter }
            OfflineNote { objectName: "caseDoneOffline"; visible: page.done.offline === true; text: page.t.case_done_offline
                          size: page.tight ? 26 : 32 }
            Label { objectName: "caseReply"; font.pixelSize: 36 * page.u; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                    Layout.topMargin: 16 * page.u
                    text: page.t.case_reply + "\n" + page.t.case_reply_days.arg(page.done.general_days).arg(page.done.complex_days)
                          + "\n" + (page.done.phone ? page.t.case_reply_phone
                                    : page.done.phone_lost ? page.t.case_phone_lost : page.t.case_reply_nophone) }
            Label { text: page.t.case_hotline; font.pixelSize: 32 * page.u; color: page.th.inkSoft
                    Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            Label { objectName: "casePrinted"; text: page.done.printed ? page.t.case_printed : page.t.case_not_printed
                    font.pixelSize: 32 * page.u; font.bold: true; color: page.done.printed ? page.th.ink : page.th.seal
                    Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
        }
        ColumnLayout {
            Layout.row: page.portrait ? 1 : 0; Layout.column: page.portrait ? 0 : 1
            Layout.alignment: Qt.AlignCenter
            spacing: 14 * page.u
            Image { objectName: "caseQr"; source: page.done.qr || ""; Layout.preferredWidth: 320 * page.u
                    Layout.preferredHeight: 320 * page.u; Layout.alignment: Qt.AlignHCenter; smooth: false }
            Label { text: page.t.case_scan; font.pixelSize: 30 * page.u; color: page.th.inkSoft; Layout.alignment: Qt.AlignHCenter }
        }
        BigButton { objectName: "caseWindowTicket"; visible: page.done.ticket === true; icon: "ticket"; iconSize: 64
                    Layout.row: page.portrait ? 2 : 1; Layout.column: page.portrait ? 0 : 1
                    Layout.preferredWidth: page.portrait ? -1 : 640 * page.u; Layout.fillWidth: page.portrait
                    title: page.v.busy ? page.t.working : page.t.case_window_ticket; titleSize: page.english ? 34 : 40
                    fill: page.th.celadonDark; implicitHeight: 170 * page.u
                    onTapped: kiosk.caseTicket() }
        Label { objectName: "caseWindowClosed"; visible: page.done.window_closed === true; text: page.t.case_window_closed
                Layout.row: page.portrait ? 2 : 1; Layout.column: page.portrait ? 0 : 1
                Layout.preferredWidth: page.portrait ? -1 : 640 * page.u; Layout.fillWidth: page.portrait
                font.pixelSize: 30 * page.u; color: page.th.inkSoft; wrapMode: Text.WordWrap
                horizontalAlignment: Text.AlignHCenter }
    }
}
