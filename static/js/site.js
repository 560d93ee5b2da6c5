// Small progressive enhancements; every page works without this file.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// After a failed submit, move the focus to the error summary so it is read first and is in view,
// wherever it sits on the page (the review form's summary is far below the top).
(function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }
})();

// Links in the error summary move the focus to their field, not only the view.
document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
  link.addEventListener("click", function (event) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var control = target.matches("input, textarea, select") ? target : target.querySelector("input, textarea, select");
    event.preventDefault();
    target.scrollIntoView({block: "center"});
    (control || target).focus({preventScroll: true});
  });
});

// Character counts: the visible count follows each keystroke; screen readers hear it once typing pauses.
document.querySelectorAll("[data-max]").forEach(function (field) {
  var max = parseInt(field.getAttribute("data-max"), 10);
  var shown = document.getElementById(field.id + "-count");
  if (!shown || !max) { return; }
  var spoken = document.createElement("p");
  spoken.className = "visually-hidden";
  spoken.setAttribute("aria-live", "polite");
  shown.insertAdjacentElement("afterend", spoken);
  var timer;
  function say() {
    var left = max - field.value.length;
    return left >= 0
      ? "You have " + left.toLocaleString("en-US") + " of " + max.toLocaleString("en-US") + " characters left."
      : "You have " + (-left).toLocaleString("en-US") + " characters too many (the limit is " + max.toLocaleString("en-US") + ").";
  }
  function update() {
    shown.textContent = say();
    shown.classList.toggle("over-limit", field.value.length > max);
    clearTimeout(timer);
    timer = setTimeout(function () { spoken.textContent = say(); }, 800);
  }
  shown.textContent = say();
  field.addEventListener("input", update);
});

// A copy button beside the new API token; without the script the token stays plain, selectable text.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  if (!source || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      if (status) { status.textContent = "Copied to the clipboard."; }
    }, function () {
      if (status) { status.textContent = "Copying did not work: select the token and copy it yourself."; }
    });
  });
});
