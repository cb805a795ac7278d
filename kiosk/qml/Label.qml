// Text in the theme's ink and font, wrapping.
import QtQuick

Text {
    color: kiosk.theme.ink
    font.family: kiosk.theme.fontFamily
    wrapMode: Text.WordWrap
}
