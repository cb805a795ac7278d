// A code in the address (chromium --kiosk "http://hub/display?code=...") enrols the board without a keyboard.
const form = document.getElementById("enrol");
if (form && form.dataset.auto) form.submit();
