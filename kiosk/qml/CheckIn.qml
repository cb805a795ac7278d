// Appointment check-in: the prompt to use the ID card or the appointment QR code, and what came of it
// (too early, late, the network down, no booking). State lives in `kiosk` (kiosk/model.py).
import QtQuick
import QtQuick.Layouts

Item {
    id: page
    required property var th
    required property var t
    required property var v
    required property real u
    required property bool english
    readonly property string screen: v.screen
    readonly property var c: v.checkin || {}

    ColumnLayout {
        objectName: "checkinScreen"
        visible: page.screen === "checkin"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Item { Layout.fillHeight: true }
        Image { source: page.th.icons + "checkin-large.svg"; sourceSize.width: 260 * page.u; sourceSize.height: 260 * page.u
                Layout.alignment: Qt.AlignHCenter }
        Label { objectName: "checkinPrompt"; text: page.v.busy ? page.t.checking_in : page.t.checkin_prompt
                     font.pixelSize: 56 * page.u; font.bold: true; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
        Label { text: page.t.checkin_how; font.pixelSize: 34 * page.u; color: page.th.inkSoft
                     Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
        Item { Layout.fillHeight: true }
        // demo mode only: buttons that stand in for the card reader and the scanner
        Label { visible: page.v.demo === true; text: page.t.simulated_devices; font.pixelSize: 26 * page.u
                     color: page.th.inkSoft; Layout.alignment: Qt.AlignHCenter }
        GridLayout {
            visible: page.v.demo === true
            Layout.fillWidth: true
            columns: 3
            columnSpacing: page.th.gap * page.u
            Repeater {
                model: [["simulateCardButton", "simulate_card", ""], ["simulateScanButton", "simulate_scan", ""],
                        ["simulateBadScanButton", "simulate_bad_scan", "https://example.com/lottery?win=1"]]
                BigButton { objectName: modelData[0]; title: page.t[modelData[1]]; titleSize: 30; lines: 2
                                 implicitHeight: 120 * page.u; Layout.fillWidth: true
                                 fill: page.th.paper; textColor: page.th.ink; border.color: page.th.line; border.width: 2
                                 onTapped: index === 0 ? kiosk.simulateCard() : kiosk.simulateScan(modelData[2]) }
            }
        }
    }

    ColumnLayout {
        objectName: "checkinResultScreen"
        visible: page.screen === "checkin_result"
        anchors.fill: parent
        spacing: page.th.gap * page.u
        Item { Layout.fillHeight: true }
        Image { source: page.th.icons + "clock.svg"; visible: page.c.result === "too_early" || page.c.result === "late"
                sourceSize.width: 180 * page.u; sourceSize.height: 180 * page.u; Layout.alignment: Qt.AlignHCenter }
        Label { objectName: "checkinTitle"; font.pixelSize: 56 * page.u; font.bold: true
                     Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                     text: page.c.result === "too_early" ? page.t.too_early_title : page.c.result === "late" ? page.t.late_title
                           : page.t.checkin_failed_title }
        Label { objectName: "checkinItem"; visible: !!page.c.name; font.pixelSize: 44 * page.u; color: page.th.celadonDark
                Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                text: page.english && page.c.name_en ? page.c.name_en : (page.c.name || "") }
        Label { objectName: "checkinMessage"; font.pixelSize: 40 * page.u; color: page.th.inkSoft
                     Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                     text: page.c.result === "too_early" ? page.t.too_early.arg(page.c.slot).arg(page.c.opens_at)
                           : page.c.result === "late" ? page.t.late.arg(page.c.slot)
                           : (page.english ? page.c.en : page.c.zh) || "" }
        Item { Layout.fillHeight: true }
        BigButton { objectName: "ordinaryTicketButton"; visible: page.c.result !== "too_early"
                         title: page.v.busy ? page.t.working : page.c.result === "late" ? page.t.ordinary_ticket_now : page.t.ordinary_ticket
                         fill: page.th.seal; icon: "ticket"; Layout.fillWidth: true; implicitHeight: 190 * page.u
                         onTapped: kiosk.ordinaryTicket() }
    }
}
