// Pagefind's UI, started from a file (the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") { return; }
  new PagefindUI({ element: "#search", bundlePath: box.dataset.bundle, showSubResults: true, resetStyles: false });
});
