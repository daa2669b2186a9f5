// Practise page: read the prescriber's line aloud (where the browser can), move focus and announce
// after each htmx swap, and Ctrl+Enter to check an answer. Everything works without this file.
(function () {
  "use strict";

  var canSpeak = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";

  function setUpReadAloud(root) {
    if (!canSpeak) { return; }
    root.querySelectorAll("button.read-aloud").forEach(function (button) {
      button.hidden = false;
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        try {
          window.speechSynthesis.cancel();
          var utterance = new window.SpeechSynthesisUtterance(button.dataset.say || "");
          utterance.lang = "en";
          utterance.rate = 0.95;
          window.speechSynthesis.speak(utterance);
        } catch (e) {
          button.hidden = true;  // speech is an extra: if it fails, it simply goes away
        }
      });
    });
  }

  function settle(panel) {
    if (!panel) { return; }
    setUpReadAloud(panel);
    var announce = document.getElementById("announce");
    if (announce && panel.dataset.announce) {
      announce.textContent = "";
      window.setTimeout(function () { announce.textContent = panel.dataset.announce; }, 50);
    }
    var targets = {
      feedback: "#feedback-title", line: "#line-title", summary: "#summary-title", answer: "#answer"
    };
    var selector = targets[panel.dataset.focus];
    var target = selector && document.querySelector(selector);
    if (target) { target.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpReadAloud(document);
    var panel = document.getElementById("practice");
    // after a full-page post without htmx, focus what the server says matters (never on first load)
    if (panel && panel.dataset.focus) { settle(panel); }
  });

  // the panel replaces itself (outerHTML), so look it up again once htmx has settled
  document.addEventListener("htmx:afterSettle", function () {
    settle(document.getElementById("practice"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target && event.target.id === "answer") {
      var button = document.getElementById("check-answer");
      if (button) { event.preventDefault(); button.click(); }
    }
  });
})();
