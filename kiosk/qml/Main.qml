// The kiosk's screens. All state lives in `kiosk` (kiosk/model.py); this file only shows it.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: root
    objectName: "root"
    color: th.wall
    readonly property var th: kiosk.theme
    readonly property var v: kiosk.view
    readonly property var t: kiosk.texts
    readonly property bool portrait: height > width
    readonly property real u: Math.min(width, height) / 1080 * v.scale   // one design unit
    readonly property string screen: v.screen
    readonly property bool english: kiosk.language === "en"
    function nameOf(o) { return o ? (english && o.name_en ? o.name_en : (o.name || "")) : "" }
    function say(o) { return o ? (english ? o.en : o.zh) || "" : "" }

    MouseArea { anchors.fill: parent; z: -1; onPressed: kiosk.touch() }

    // ------------------------------------------------------------ header
    Rectangle {
        id: header
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 130 * root.u
        color: th.tile
        MouseArea { objectName: "adminCorner"; width: 120 * root.u; height: parent.height; onClicked: kiosk.adminTap() }
        Label {
            anchors { left: parent.left; leftMargin: 40 * root.u; verticalCenter: parent.verticalCenter }
            width: headerButtons.x - 60 * root.u  // never under the buttons (elder mode, long site names)
            text: (v.site || "") + "\n" + t.title; wrapMode: Text.NoWrap; fontSizeMode: Text.HorizontalFit
            minimumPixelSize: 16 * root.u; height: parent.height; verticalAlignment: Text.AlignVCenter
            color: th.paper; font.pixelSize: 30 * root.u; lineHeight: 1.15
        }
        Row {
            id: headerButtons
            anchors { right: parent.right; rightMargin: 30 * root.u; verticalCenter: parent.verticalCenter }
            spacing: 20 * root.u
            Rectangle {
                visible: !v.online
                objectName: "offlineBadge"
                radius: 12 * root.u; color: th.seal; height: 64 * root.u; width: offlineText.implicitWidth + 36 * root.u
                anchors.verticalCenter: parent.verticalCenter
                Label { id: offlineText; anchors.centerIn: parent; text: t.offline; color: "white"; font.pixelSize: 24 * root.u }
            }
            BigButton { objectName: "elderButton"; title: t.elder_mode; implicitHeight: 90 * root.u; implicitWidth: 240 * root.u
                        titleSize: 34
                        fill: v.elder ? th.seal : th.celadonDark; onTapped: kiosk.toggleElder() }
            BigButton { objectName: "languageButton"; title: t.language; implicitHeight: 90 * root.u; implicitWidth: 200 * root.u
                        titleSize: 34
                        fill: th.celadonDark; onTapped: kiosk.toggleLanguage() }
        }
    }

    // events of this kiosk the hub refused (the sync set them aside): staff should know
    Rectangle {
        id: setAsideBar
        objectName: "setAsideBar"
        visible: v.set_aside > 0
        anchors { left: parent.left; right: parent.right; top: header.bottom }
        height: visible ? setAsideText.implicitHeight + 24 * root.u : 0
        color: th.amberSoft
        Label { id: setAsideText; objectName: "setAsideText"; anchors.centerIn: parent; width: parent.width - 80 * root.u
                text: v.set_aside === 1 ? t.set_aside_one : t.set_aside.arg(v.set_aside); color: th.amberInk
                font.pixelSize: 26 * root.u; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.WordWrap }
    }

    Item {
        id: page
        anchors { left: parent.left; right: parent.right; top: setAsideBar.bottom; bottom: footer.top; margins: 48 * root.u }

        // ---------------------------------------------------------- home
        ColumnLayout {
            objectName: "homeScreen"
            visible: root.screen === "home"
            anchors.fill: parent
            spacing: th.gap * root.u
            Label { text: t.welcome; font.pixelSize: 56 * root.u; font.bold: true; Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter; Layout.bottomMargin: 20 * root.u }
            GridLayout {
                columns: root.portrait ? 1 : 2
                Layout.fillWidth: true; Layout.fillHeight: true
                rowSpacing: th.gap * root.u; columnSpacing: th.gap * root.u
                BigButton { objectName: "takeTicketButton"; title: t.take_ticket; subtitle: t.take_ticket_sub; fill: th.seal
                            icon: "ticket"; iconSize: 96; Layout.fillWidth: true; Layout.fillHeight: true; onTapped: kiosk.go("categories") }
                BigButton { objectName: "checkInButton"; title: t.check_in; subtitle: t.check_in_sub; icon: "checkin"; iconSize: 96
                            Layout.fillWidth: true; Layout.fillHeight: true; onTapped: kiosk.go("checkin") }
                BigButton { objectName: "guideButton"; title: t.guide; subtitle: t.guide_sub; fill: th.lake; textColor: th.ink
                            icon: "guide"; iconSize: 96; Layout.fillWidth: true; Layout.fillHeight: true; onTapped: kiosk.go("guide") }
                BigButton { objectName: "casesButton"; title: t.cases; subtitle: t.cases_sub; fill: th.tile
                            icon: "cases"; iconSize: 96; Layout.fillWidth: true; Layout.fillHeight: true; onTapped: kiosk.go("cases") }
            }
        }

        // ---------------------------------------------------------- categories
        ColumnLayout {
            objectName: "categoriesScreen"
            visible: root.screen === "categories"
            anchors.fill: parent
            spacing: th.gap * root.u
            Label { text: t.choose_category; font.pixelSize: 50 * root.u; font.bold: true }
            Label { objectName: "staffGreenNote"; visible: v.staff_green === true; text: t.staff_green_note
                    font.pixelSize: 32 * root.u; color: th.celadonDark; Layout.fillWidth: true }
            Repeater {
                model: ["personal", "enterprise", "bundle"]
                BigButton { objectName: "category_" + modelData; title: t[modelData]; icon: modelData; iconSize: 96
                            Layout.fillWidth: true
                            Layout.fillHeight: true; fill: index === 0 ? th.seal : index === 1 ? th.celadon : th.tile
                            onTapped: kiosk.chooseCategory(modelData) }
            }
        }

        // ---------------------------------------------------------- items
        ColumnLayout {
            objectName: "itemsScreen"
            visible: root.screen === "items"
            anchors.fill: parent
            spacing: th.gap * root.u
            Label { text: t.choose_item + " · " + (t[v.category] || ""); font.pixelSize: 44 * root.u; font.bold: true }
            GridView {
                id: grid
                objectName: "itemGrid"
                Layout.fillWidth: true; Layout.fillHeight: true
                clip: true
                cellWidth: width / (root.portrait ? 2 : 3)
                cellHeight: 180 * root.u
                model: v.items
                delegate: Item {
                    width: grid.cellWidth; height: grid.cellHeight
                    BigButton {
                        objectName: "item_" + index
                        anchors { fill: parent; margins: 10 * root.u }
                        title: root.nameOf(modelData)
                        titleSize: root.english ? 30 : 36
                        lines: 3
                        subtitle: modelData.minutes > 0 ? t.minutes.arg(modelData.minutes) : ""
                        fill: th.paper; textColor: th.ink
                        border.color: th.line; border.width: 2
                        onTapped: kiosk.chooseItem(index)
                    }
                }
            }
        }

        // ---------------------------------------------------------- confirm
        ColumnLayout {
            objectName: "confirmScreen"
            visible: root.screen === "confirm"
            anchors.fill: parent
            spacing: th.gap * root.u
            Item { Layout.fillHeight: true }
            Label { text: root.nameOf(v.choice); font.pixelSize: (root.english ? 48 : 60) * root.u; font.bold: true; Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter }
            Label { objectName: "previewText"; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                    font.pixelSize: 38 * root.u; color: th.inkSoft
                    text: v.preview.people_ahead === undefined ? "…"
                          : v.preview.people_ahead === null ? t.wait_unknown
                          : t.people_ahead.arg(v.preview.people_ahead) + "\n" + t.wait_estimate.arg(v.preview.wait_minutes) }
            Label { objectName: "confirmPrepare"; visible: !!v.choice.prepare; Layout.fillWidth: true; wrapMode: Text.WordWrap
                    horizontalAlignment: Text.AlignHCenter; font.pixelSize: 34 * root.u; color: th.amberInk
                    text: v.choice.prepare ? t.prepare.arg(root.english ? v.choice.prepare_en : v.choice.prepare) : "" }
            Label { visible: v.staff_green === true; text: t.staff_green_note; font.pixelSize: 30 * root.u
                    color: th.celadonDark; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            Label { objectName: "cardHint"; visible: v.green_offer === null || v.green_offer === undefined
                    text: v.card_error ? v.card_error : t.card_hint; font.pixelSize: 30 * root.u
                    color: v.card_error ? th.seal : th.inkSoft; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            BigButton { objectName: "greenButton"; visible: v.green_offer === true; Layout.fillWidth: true
                        implicitHeight: 130 * root.u; titleSize: 38
                        title: v.green ? t.green_on : t.green_off; fill: v.green ? th.celadonDark : th.paper
                        textColor: v.green ? "white" : th.ink; border.color: th.line; border.width: 2
                        onTapped: kiosk.toggleGreen() }
            Item { Layout.fillHeight: true }
            BigButton { objectName: "confirmButton"; title: v.busy && v.preview.people_ahead !== undefined ? t.working : t.confirm
                        fill: th.seal; Layout.fillWidth: true; implicitHeight: 190 * root.u; onTapped: kiosk.confirm() }
        }

        // ---------------------------------------------------------- ticket
        GridLayout {
            objectName: "ticketScreen"
            visible: root.screen === "ticket"
            anchors.fill: parent
            columns: root.portrait ? 1 : 2
            columnSpacing: 60 * root.u
            rowSpacing: 16 * root.u
            ColumnLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignVCenter
                spacing: 14 * root.u
                Label { text: t.your_number; font.pixelSize: 40 * root.u; Layout.alignment: Qt.AlignHCenter }
                Label { objectName: "ticketNumber"; text: v.ticket.number || ""; font.pixelSize: (root.portrait ? 200 : 170) * root.u
                        font.bold: true; color: th.seal; Layout.alignment: Qt.AlignHCenter }
                Label { text: ((root.english ? v.ticket.queue_en : v.ticket.queue) || "") + " · " + (root.english && v.ticket.item_en ? v.ticket.item_en : (v.ticket.item || ""))
                        font.pixelSize: 34 * root.u; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
                Label { objectName: "ticketSlot"; visible: !!v.ticket.slot; text: t.slot.arg(v.ticket.slot || "")
                        font.pixelSize: 36 * root.u; font.bold: true; color: th.celadonDark; Layout.alignment: Qt.AlignHCenter }
                Label { visible: (v.ticket.ahead || 0) >= 0; text: t.people_ahead.arg(v.ticket.ahead); font.pixelSize: 34 * root.u
                        color: th.inkSoft; Layout.alignment: Qt.AlignHCenter }
                Label { text: t.watch_calls; font.pixelSize: 48 * root.u; font.bold: true; color: th.celadonDark
                        Layout.alignment: Qt.AlignHCenter }
                Repeater {
                    model: v.ticket.notices || []
                    Label { objectName: "notice_" + modelData; text: t[modelData]; font.pixelSize: 30 * root.u
                            color: modelData.indexOf("checked_in") >= 0 ? th.celadonDark : th.seal
                            Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
                }
                Label { visible: v.ticket.printed === true; text: t.printed; font.pixelSize: 30 * root.u
                        Layout.alignment: Qt.AlignHCenter }
            }
            ColumnLayout {
                Layout.alignment: Qt.AlignCenter
                spacing: 14 * root.u
                Image { objectName: "ticketQr"; source: v.ticket.qr || ""; Layout.preferredWidth: 320 * root.u
                        Layout.preferredHeight: 320 * root.u; Layout.alignment: Qt.AlignHCenter; smooth: false }
                Label { text: t.scan_status; font.pixelSize: 28 * root.u; color: th.inkSoft; Layout.alignment: Qt.AlignHCenter }
            }
        }

        // ---------------------------------------------------------- check-in, guide, cases, error, admin
        ColumnLayout {
            objectName: "messageScreen"
            visible: root.screen === "error"
            anchors.fill: parent
            spacing: th.gap * root.u
            Item { Layout.fillHeight: true }
            Label { text: t.error_title
                    font.pixelSize: 60 * root.u; font.bold: true; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            Label { objectName: "messageText"
                    text: v.error.text || ""
                    font.pixelSize: 40 * root.u; color: th.inkSoft; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter }
            Item { Layout.fillHeight: true }
        }
        CheckIn { anchors.fill: parent; th: root.th; t: root.t; v: root.v; u: root.u; english: root.english }
        Guide { anchors.fill: parent; th: root.th; t: root.t; v: root.v; u: root.u; english: root.english
                portrait: root.portrait }
        Cases { anchors.fill: parent; th: root.th; t: root.t; v: root.v; u: root.u; english: root.english
                portrait: root.portrait }
        ColumnLayout {
            objectName: "staffScreen"
            visible: root.screen === "staff"
            anchors.fill: parent
            spacing: th.gap * root.u
            Label { text: t.staff_title; font.pixelSize: 50 * root.u; font.bold: true }
            BigButton { objectName: "staffGreenButton"; title: t.staff_green; subtitle: t.staff_green_sub; fill: th.celadonDark
                        Layout.fillWidth: true; implicitHeight: 220 * root.u; onTapped: kiosk.staffGreen() }
            BigButton { objectName: "staffExitButton"; title: t.admin_exit; fill: th.tile
                        Layout.fillWidth: true; implicitHeight: 160 * root.u; onTapped: kiosk.staffExit() }
            Item { Layout.fillHeight: true }
        }
        ColumnLayout {
            objectName: "guideSignInScreen"
            visible: root.screen === "guide_sign_in"
            anchors.centerIn: parent
            spacing: th.gap * root.u
            Label { text: t.guide_sign_in; font.pixelSize: 44 * root.u; font.bold: true }
            Label { text: t.guide_sign_in_sub; font.pixelSize: 30 * root.u; color: th.inkSoft }
            Label { text: t.staff_no; font.pixelSize: 36 * root.u }
            Rectangle {
                Layout.preferredWidth: 500 * root.u; Layout.preferredHeight: 110 * root.u; radius: 12; border.color: th.line
                TextInput { id: guideNo; objectName: "guideNoInput"; anchors.fill: parent; anchors.margins: 20 * root.u
                            font.pixelSize: 50 * root.u; onAccepted: guidePin.forceActiveFocus() }
            }
            Label { text: t.staff_pin; font.pixelSize: 36 * root.u }
            Rectangle {
                Layout.preferredWidth: 500 * root.u; Layout.preferredHeight: 110 * root.u; radius: 12; border.color: th.line
                TextInput { id: guidePin; objectName: "guidePinInput"; anchors.fill: parent; anchors.margins: 20 * root.u
                            font.pixelSize: 50 * root.u; echoMode: TextInput.Password; inputMethodHints: Qt.ImhDigitsOnly
                            onAccepted: { kiosk.guideSignIn(guideNo.text, text); text = "" } }
            }
            BigButton { objectName: "guideSignInButton"; title: t.guide_sign_in_button; fill: th.celadonDark
                        Layout.preferredWidth: 500 * root.u; implicitHeight: 130 * root.u
                        onTapped: { kiosk.guideSignIn(guideNo.text, guidePin.text); guidePin.text = "" } }
            Label { objectName: "guideError"; visible: !!v.guide_error; text: v.guide_error || ""
                    font.pixelSize: 32 * root.u; color: th.seal }
        }
        ColumnLayout {
            objectName: "adminScreen"
            visible: root.screen === "admin"
            anchors.centerIn: parent
            spacing: th.gap * root.u
            Label { text: t.admin_pin; font.pixelSize: 44 * root.u }
            Rectangle {
                Layout.preferredWidth: 500 * root.u; Layout.preferredHeight: 110 * root.u; radius: 12; border.color: th.line
                TextInput { objectName: "adminPinInput"; anchors.fill: parent; anchors.margins: 20 * root.u
                            font.pixelSize: 50 * root.u; echoMode: TextInput.Password; inputMethodHints: Qt.ImhDigitsOnly
                            onAccepted: kiosk.adminPin(text) }
            }
        }
    }

    // ------------------------------------------------------------ a passing message (a scan that is not ours)
    Rectangle {
        objectName: "banner"
        visible: !!v.banner.zh
        anchors { left: parent.left; right: parent.right; bottom: footer.top; margins: 40 * root.u }
        height: bannerText.implicitHeight + 48 * root.u
        radius: th.radius; color: th.paper; border.color: th.seal; border.width: 3
        Label { id: bannerText; objectName: "bannerText"; anchors.centerIn: parent; width: parent.width - 60 * root.u
                text: root.say(v.banner); font.pixelSize: 34 * root.u; color: th.seal; horizontalAlignment: Text.AlignHCenter }
    }

    // ------------------------------------------------------------ footer: back and home
    Row {
        id: footer
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: 40 * root.u }
        height: root.screen === "home" ? 0 : 130 * root.u
        spacing: th.gap * root.u
        visible: root.screen !== "home"
        BigButton { id: backButton; objectName: "backButton"; title: t.back; width: (parent.width - th.gap * root.u) / 2; height: parent.height
                    fill: th.paper; textColor: th.ink; border.color: th.line; border.width: 2
                    visible: ["items", "confirm", "case_cause", "case_phone", "case_words", "case_confirm",
                              "guide_matter"].indexOf(root.screen) >= 0
                    onTapped: root.screen.indexOf("case_") === 0 ? kiosk.caseBack()
                              : root.screen === "guide_matter" || (root.screen === "confirm" && !!v.guide.matter.name)
                              ? kiosk.guideBack()
                              : root.screen === "confirm" ? kiosk.chooseCategory(v.category) : kiosk.go("categories") }
        BigButton { objectName: "homeButton"; title: t.home; height: parent.height
                    width: backButton.visible ? (parent.width - th.gap * root.u) / 2 : parent.width
                    fill: th.tile; onTapped: kiosk.go("home") }
    }
}
