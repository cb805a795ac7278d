// The printed 上门办 day list: its Print button (the page has no other script).
document.getElementById("print-now").addEventListener("click", () => window.print());
