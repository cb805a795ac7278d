// The citizen's rating screen (好差评). All state lives in `rating` (terminal/rating/model.py).
// Only touch can answer: the clerk's mouse and keyboard sit on the other side of the counter.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: root
    objectName: "root"
    color: th.wall
    readonly property var th: rating.theme
    readonly property var v: rating.view
    readonly property var t: rating.texts
    readonly property real u: Math.min(width / 1280, height / 800)   // one design unit
    readonly property int devices: rating.mouse ? (PointerDevice.TouchScreen | PointerDevice.Mouse) : PointerDevice.TouchScreen
    readonly property var faceColours: ({5: "#4E786E", 4: "#6F9A8F", 3: "#8DB3C7", 2: "#C98A1B", 1: "#A8412E"})
    // the on-screen keyboard is up: the reason screen keeps only the words, the field and the buttons
    readonly property bool typing: keyboard.item !== null && keyboard.item.active

    component Label: Text {
        color: th.ink
        font.family: th.fontFamily
        wrapMode: Text.WordWrap
    }

    // A large touch target that only a finger (or, in a desktop demo, a mouse) can press.
    component Touch: Rectangle {
        id: touch
        signal tapped
        radius: th.radius
        TapHandler { acceptedDevices: root.devices; onTapped: touch.tapped() }
    }

    // A face drawn with strokes (no emoji font needed): the mouth curves with the score.
    component Face: Canvas {
        property int score: 3
        property color ink: "white"
        onScoreChanged: requestPaint()
        onPaint: {
            var c = getContext("2d"), w = width, h = height
            c.reset(); c.strokeStyle = ink; c.fillStyle = ink; c.lineWidth = w * 0.06; c.lineCap = "round"
            c.beginPath(); c.arc(w / 2, h / 2, w * 0.45, 0, 2 * Math.PI); c.stroke()
            c.beginPath(); c.arc(w * 0.35, h * 0.4, w * 0.05, 0, 2 * Math.PI); c.fill()
            c.beginPath(); c.arc(w * 0.65, h * 0.4, w * 0.05, 0, 2 * Math.PI); c.fill()
            var bend = (score - 3) * 0.09 * h, y = h * 0.66 - bend / 2
            c.beginPath(); c.moveTo(w * 0.3, y); c.quadraticCurveTo(w / 2, y + bend * 2, w * 0.7, y); c.stroke()
        }
    }

    // ------------------------------------------------------------ header: window and clerk
    Rectangle {
        id: header
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: root.typing ? 0 : 150 * root.u
        visible: !root.typing
        color: th.tile
        Label {
            objectName: "serviceInfo"
            anchors { left: parent.left; leftMargin: 40 * root.u; right: langButton.left; verticalCenter: parent.verticalCenter }
            readonly property var s: v.service || {}
            text: s.window_number ? (t.window.replace("%1", s.window_number)
                                     + (s.clerk_name ? "    " + t.clerk.replace("%1", s.clerk_name).replace("%2", s.staff_no) : "")
                                     + (s.number ? "\n" + t.ticket.replace("%1", s.number) : ""))
                                  : t.brand
            color: th.paper; font.pixelSize: 34 * root.u; lineHeight: 1.2
        }
        Touch {
            id: langButton
            objectName: "languageButton"
            anchors { right: parent.right; rightMargin: 30 * root.u; verticalCenter: parent.verticalCenter }
            width: 170 * root.u; height: 80 * root.u
            color: "transparent"; border.color: th.paper; border.width: 2
            Label { anchors.centerIn: parent; text: t.language; color: th.paper; font.pixelSize: 28 * root.u }
            onTapped: rating.toggleLanguage()
        }
    }

    Item {
        id: body
        anchors { left: parent.left; right: parent.right; top: header.bottom; margins: 30 * root.u
                  bottom: root.typing ? keyboard.top : parent.bottom }

        // ------------------------------------------------------------ idle
        ColumnLayout {
            anchors.centerIn: parent
            width: parent.width
            visible: v.screen === "idle"
            spacing: 30 * root.u
            Label { text: t.idle; font.pixelSize: 72 * root.u; font.bold: true; Layout.alignment: Qt.AlignHCenter }
            Label { text: t.idle_sub; color: th.inkSoft; font.pixelSize: 36 * root.u; Layout.alignment: Qt.AlignHCenter
                    horizontalAlignment: Text.AlignHCenter; Layout.fillWidth: true }
        }

        // ------------------------------------------------------------ five faces
        ColumnLayout {
            anchors.fill: parent
            visible: v.screen === "rate"
            spacing: 30 * root.u
            Label { text: t.title; font.pixelSize: 56 * root.u; font.bold: true; Layout.alignment: Qt.AlignHCenter }
            RowLayout {
                Layout.fillWidth: true; Layout.fillHeight: true
                spacing: 20 * root.u
                Repeater {
                    model: [5, 4, 3, 2, 1]
                    Touch {
                        objectName: "face_" + modelData
                        Layout.fillWidth: true; Layout.fillHeight: true
                        color: root.faceColours[modelData]
                        onTapped: rating.rate(modelData)
                        ColumnLayout {
                            anchors.centerIn: parent
                            spacing: 24 * root.u
                            Face { score: modelData; Layout.preferredWidth: 150 * root.u; Layout.preferredHeight: 150 * root.u
                                   Layout.alignment: Qt.AlignHCenter }
                            Label { text: t["score_" + modelData]; color: "white"; font.pixelSize: 36 * root.u; font.bold: true
                                    Layout.alignment: Qt.AlignHCenter; horizontalAlignment: Text.AlignHCenter
                                    wrapMode: Text.WordWrap  // "Very dissatisfied" takes two lines on a narrow tile
                                    Layout.maximumWidth: parent.parent.width - 24 * root.u }
                        }
                    }
                }
            }
            Label { objectName: "countdown"; text: t.countdown.replace("%1", v.seconds_left); color: th.inkSoft
                    font.pixelSize: 28 * root.u; Layout.alignment: Qt.AlignHCenter }
        }

        // ------------------------------------------------------------ why (scores 2 and 1)
        ColumnLayout {
            anchors.fill: parent
            visible: v.screen === "reason"
            spacing: 16 * root.u
            RowLayout {
                spacing: 24 * root.u
                Face { score: v.score || 1; ink: root.faceColours[v.score || 1]; Layout.preferredWidth: 80 * root.u
                       Layout.preferredHeight: 80 * root.u }
                Label { text: t["score_" + (v.score || 1)] + " · " + t.why; font.pixelSize: 38 * root.u; font.bold: true
                        Layout.fillWidth: true }
                Label { objectName: "reasonCountdown"; text: t.countdown.replace("%1", v.seconds_left); color: th.inkSoft
                        font.pixelSize: 22 * root.u; Layout.preferredWidth: 340 * root.u; horizontalAlignment: Text.AlignRight }
            }
            GridLayout {
                columns: 3
                visible: !root.typing
                Layout.fillWidth: true
                rowSpacing: 16 * root.u; columnSpacing: 16 * root.u
                Repeater {
                    model: ["wait", "unclear", "attitude", "skill", "process", "other"]
                    Touch {
                        readonly property bool chosen: (v.reasons || []).indexOf(modelData) >= 0
                        objectName: "reason_" + modelData
                        Layout.fillWidth: true; Layout.preferredHeight: 90 * root.u
                        Layout.preferredWidth: 100
                        color: chosen ? th.seal : th.paper
                        border.color: chosen ? th.seal : th.line; border.width: 3
                        onTapped: rating.toggleReason(modelData)
                        Label { anchors.centerIn: parent; width: parent.width - 30 * root.u; horizontalAlignment: Text.AlignHCenter
                                text: (parent.chosen ? "✓ " : "") + t["reason_" + modelData]
                                color: parent.chosen ? "white" : th.ink; font.pixelSize: 28 * root.u }
                    }
                }
            }
            TextField {
                id: note
                objectName: "note"
                visible: rating.keyboard   // words need the pad's own keyboard; the fixed reasons are enough otherwise
                Layout.fillWidth: true; Layout.preferredHeight: 70 * root.u
                placeholderText: t.note; font.pixelSize: 30 * root.u; font.family: th.fontFamily
                maximumLength: 200
                onTextEdited: rating.setNote(text)
                Connections {
                    target: rating
                    function onViewChanged() { if (v.screen !== "reason") { note.clear(); note.focus = false } }
                }
            }
            Label { objectName: "reasonError"; text: v.error || ""; visible: text !== ""; color: th.seal; font.pixelSize: 28 * root.u }
            RowLayout {
                Layout.fillWidth: true
                spacing: 20 * root.u
                Touch { objectName: "backButton"; Layout.preferredWidth: 300 * root.u; Layout.preferredHeight: 100 * root.u
                        color: th.paper; border.color: th.line; border.width: 3; onTapped: rating.back()
                        Label { anchors.centerIn: parent; text: t.change; font.pixelSize: 34 * root.u } }
                Touch { objectName: "submitButton"; Layout.fillWidth: true; Layout.preferredHeight: 100 * root.u
                        color: th.celadonDark; onTapped: rating.submitReason()
                        Label { anchors.centerIn: parent; text: t.submit; color: "white"; font.pixelSize: 38 * root.u; font.bold: true } }
            }
            Item { Layout.fillHeight: true }
        }

        // ------------------------------------------------------------ thanks
        ColumnLayout {
            anchors.centerIn: parent
            width: parent.width
            visible: v.screen === "thanks"
            spacing: 30 * root.u
            Face { score: v.score || 5; ink: root.faceColours[v.score || 5]; Layout.preferredWidth: 200 * root.u
                   Layout.preferredHeight: 200 * root.u; Layout.alignment: Qt.AlignHCenter }
            Label { objectName: "thanks"; text: t.thanks; font.pixelSize: 72 * root.u; font.bold: true; Layout.alignment: Qt.AlignHCenter }
            Label { text: (v.score || 5) <= 2 ? t.thanks_bad : t.thanks_sub; color: th.inkSoft; font.pixelSize: 36 * root.u
                    Layout.alignment: Qt.AlignHCenter }
            Label { objectName: "keptOffline"; visible: v.kept_offline === true; text: t.offline; color: th.seal
                    font.pixelSize: 28 * root.u; Layout.alignment: Qt.AlignHCenter }
        }
    }

    // ------------------------------------------------------------ on-screen keyboard (a pad of its own only)
    Loader {
        id: keyboard
        active: rating.keyboard
        source: "Keyboard.qml"
        anchors { left: parent.left; right: parent.right }
        y: item && item.active ? parent.height - height : parent.height
        onLoaded: item.language = Qt.binding(function () { return rating.language })
    }
}
