// A large touch target: at least 15 mm on a 21" kiosk screen (about 120 px at 1080 px), with an optional
// line icon (assets/theme/icons/<icon>.svg) above its title.
import QtQuick
import QtQuick.Layouts
import QtQuick.Window

Rectangle {
    id: button
    property string title
    property string subtitle
    property string icon   // a file of assets/theme/icons/, without ".svg"
    property real iconSize: 72
    property int lines: 2
    property color fill: kiosk.theme.celadon
    property color textColor: "white"
    property real titleSize: 46
    // the design unit of Main.qml: 1/1080 of the window's short side, times the elder-mode scale
    readonly property real u: Math.min(Window.width, Window.height) / 1080 * kiosk.view.scale
    signal tapped
    radius: kiosk.theme.radius
    color: area.pressed ? Qt.darker(fill, 1.15) : fill
    implicitHeight: 150 * u
    implicitWidth: 300 * u
    ColumnLayout {
        anchors.centerIn: parent
        width: parent.width - 40 * button.u
        spacing: 8 * button.u
        Image { visible: button.icon !== ""; source: button.icon ? kiosk.theme.icons + button.icon + ".svg" : ""
                sourceSize.width: button.iconSize * button.u; sourceSize.height: button.iconSize * button.u
                Layout.alignment: Qt.AlignHCenter }
        Label { text: button.title; color: button.textColor; font.pixelSize: button.titleSize * button.u; font.bold: true
                horizontalAlignment: Text.AlignHCenter; Layout.fillWidth: true
                maximumLineCount: button.lines; elide: Text.ElideRight }
        Label { text: button.subtitle; visible: text !== ""; color: button.textColor; opacity: 0.9
                font.pixelSize: 26 * button.u; horizontalAlignment: Text.AlignHCenter; Layout.fillWidth: true }
    }
    MouseArea { id: area; anchors.fill: parent; onClicked: { kiosk.touch(); button.tapped() } }
}
