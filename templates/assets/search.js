// Pagefind's UI, started from a file (the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") { return; }
  new PagefindUI({ element: "#search", bundlePath: box.dataset.bundle, showSubResults: true,
                   showImages: false, resetStyles: false });
  // Pagefind labels its box with a title only: name it by the page's visible heading above it.
  function label() {
    var input = box.querySelector("input.pagefind-ui__search-input");
    if (!input) { return false; }
    input.setAttribute("aria-labelledby", "search-h");
    return true;
  }
  if (!label()) {
    var watch = new MutationObserver(function () { if (label()) { watch.disconnect(); } });
    watch.observe(box, { childList: true, subtree: true });
  }
});
