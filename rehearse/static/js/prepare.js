/* rehearse: the brief builder and the brief. Everything works as a plain form post without this file;
   it adds a live word count, the opt-in "keep this in this browser" storage, and a Print button. */
(function () {
  "use strict";

  var STORE_KEY = "rehearse:brief";
  var WPM = 200;   // as rehearse/prepare.py READING_WPM

  // byId, all, storage and announce come from rehearse.js (loaded first on every page).
  var shared = window.rehearse;
  var byId = shared.byId, all = shared.all, storage = shared.storage, announce = shared.announce;

  function words(text) {
    var found = text.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu);
    return found ? found.length : 0;
  }

  function initBuilder(form) {
    var keep = byId("keep");
    var store = storage();
    var size = byId("brief-words");
    var over = byId("brief-over");
    var limit = parseInt(byId("brief-size").dataset.limit, 10) || 400;
    var texts = all("textarea:not([readonly]), input[type=text]", form);
    var boxes = all("input[type=checkbox][name]", form);

    function snapshot() {
      var data = { fields: {}, checked: {} };
      texts.forEach(function (el) { data.fields[el.name] = el.value; });
      boxes.forEach(function (el) { data.checked[el.id] = el.checked; });
      return data;
    }

    function restore(data, ticks) {
      texts.forEach(function (el) {
        if (typeof data.fields[el.name] === "string") { el.value = data.fields[el.name]; }
      });
      if (!ticks) { return; }
      boxes.forEach(function (el) {
        if (typeof data.checked[el.id] === "boolean") { el.checked = data.checked[el.id]; }
      });
    }

    // The count covers what the brief prints: the story, chosen questions and resources, and notes.
    function updateSize() {
      var n = 0;
      texts.forEach(function (el) { n += words(el.value); });
      boxes.forEach(function (el) {
        if (el.checked) { n += parseInt(el.dataset.words, 10) || 0; }
      });
      var minutes = Math.max(1, Math.round(n / WPM));
      size.textContent = "About " + n.toLocaleString("en") + " words, " + minutes + " minute" +
        (minutes === 1 ? "" : "s") + " to read.";
      over.hidden = n <= limit;
    }

    function save() {
      if (store && keep && keep.checked) {
        try { store.setItem(STORE_KEY, JSON.stringify(snapshot())); } catch (e) { /* full: keep working */ }
      }
    }

    form.addEventListener("input", function () { save(); });
    form.addEventListener("change", function (event) {
      if (event.target === keep) { return; }
      updateSize();
      save();
    });
    var timer = null;
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(updateSize, 300);
    });

    if (store && keep) {
      byId("keep-row").hidden = false;
      var saved = null;
      try { saved = JSON.parse(store.getItem(STORE_KEY) || "null"); } catch (e) { saved = null; }
      keep.checked = Boolean(saved && saved.fields);
      // An empty builder is filled from storage; ticks chosen on the questions or resources page win
      // over the kept ones; a draft or phrases just sent here are shown as sent, and replace the
      // kept brief only once edited.
      var mode = form.dataset.restore;
      if (keep.checked && (mode === "all" || mode === "text")) {
        restore(saved, mode === "all");
        announce("Your kept brief is back.");
      }
      keep.addEventListener("change", function () {
        if (keep.checked) {
          save();
          announce("Your brief will be kept in this browser.");
        } else {
          store.removeItem(STORE_KEY);
          announce("Your brief is no longer kept in this browser.");
        }
      });
    }

    var summary = byId("error-summary");
    if (summary) { summary.focus(); }
    updateSize();
  }

  function initBrief(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function start() {
    var form = byId("brief-form");
    if (form) { initBuilder(form); }
    var print = byId("print-brief");
    if (print) { initBrief(print); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
