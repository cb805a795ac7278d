// The on-screen keyboard of a rating pad of its own (Qt Virtual Keyboard: 拼音 and English), for the
// optional words of a low rating. Loaded only where the pad's process runs the virtual keyboard's input
// method (terminal/rating/app.py); a screen beside the clerk's terminal shares the clerk's input method.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

InputPanel {
    id: panel
    objectName: "keyboard"
    property string language: "zh_CN"
    onLanguageChanged: VirtualKeyboardSettings.locale = language === "en" ? "en_US" : "zh_CN"
    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = "zh_CN"
    }
}
