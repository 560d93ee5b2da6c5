// The search page's enhancements; the page works without this file (GET forms, <details>).
// - the filters are open beside the results on wide screens, behind "Filter results" on narrow ones;
// - checking a filter applies it at once, and the reloaded page puts focus back on that checkbox
//   and announces the new result count;
// - after a search, focus starts on the results heading (the count), so a screen reader reads it first.
(function () {
  "use strict";
  var WIDE = window.matchMedia("(min-width: 56rem)");
  var KEY = "search-restore";
  var panel = document.querySelector("[data-facets]");
  var form = document.querySelector("[data-auto-apply]");
  var heading = document.getElementById("results-heading");
  if (!panel || !form || !heading) return;

  // Open on wide screens; on narrow ones keep what the user chose. Follow the width until the user
  // toggles the panel themselves.
  // ("toggle" fires later, so it is told apart from ours by the state we last set.)
  var userToggled = false;
  var expected = panel.open;
  function setOpen(open) { expected = open; panel.open = open; }
  function fit() { if (!userToggled) setOpen(WIDE.matches); }
  fit();
  panel.addEventListener("toggle", function () { if (panel.open !== expected) userToggled = true; });
  if (WIDE.addEventListener) WIDE.addEventListener("change", fit);

  // Filters apply on change.
  var hint = form.querySelector("[data-auto-apply-hint]");
  if (hint) hint.hidden = false;
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.type !== "checkbox") return;
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ name: box.name, value: box.value, open: panel.open }));
    } catch (e) { /* private mode: no focus restore, the filter still applies */ }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function announce() {
    // A live region is not read when the page loads, so the count goes into an empty one afterwards.
    var status = heading.querySelector("[data-result-status]");
    var region = document.querySelector("[data-announce]");
    if (!status || !region) return;
    window.setTimeout(function () { region.textContent = status.textContent.replace(/\s+/g, " ").trim(); }, 300);
  }

  function restore() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (e) { return false; }
    if (!saved) return false;
    var boxes = form.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === saved.name && boxes[i].value === saved.value) {
        if (saved.open) setOpen(true);
        var more = boxes[i].closest("details.facet-more");
        if (more) more.open = true;
        if (panel.open) {
          boxes[i].focus();
          announce();
          return true;
        }
      }
    }
    return false;
  }

  if (!restore() && heading.hasAttribute("data-focus-on-load")) {
    // Not on a plain /search: there the search box comes first.
    heading.focus({ preventScroll: true });
  }
})();
