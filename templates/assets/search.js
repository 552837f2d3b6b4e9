// Pagefind's UI, started from a file (the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") { return; }
  // The index comes in shards (generator/search.py), searched together: Pagefind's mergeIndex.
  fetch(box.dataset.bundle + "shards.json").then(function (response) {
    if (!response.ok) { throw new Error("no search index: " + response.status); }
    return response.json();
  }).then(function (shards) {
    var bundles = shards.bundles.map(function (name) {
      return new URL(box.dataset.bundle + name, document.baseURI).href;
    });
    new PagefindUI({ element: "#search", bundlePath: bundles[0], showSubResults: true, showImages: false,
                     resetStyles: false,
                     mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path }; }) });
    if (!label()) {
      var watch = new MutationObserver(function () { if (label()) { watch.disconnect(); } });
      watch.observe(box, { childList: true, subtree: true });
    }
  }).catch(function (error) {
    box.textContent = "Search is not available: " + error.message;
  });
  // Pagefind labels its box with a title only: name it by the page's visible heading above it.
  function label() {
    var input = box.querySelector("input.pagefind-ui__search-input");
    if (!input) { return false; }
    input.setAttribute("aria-labelledby", "search-h");
    return true;
  }
});
