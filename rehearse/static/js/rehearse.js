/* rehearse: progressive enhancement for the check pages. Every feature here also works as a plain
   form post without JavaScript; this file makes it live: one-click rewrites with undo, dismissals,
   copy buttons, selecting a mark, keeping focus in place, and the opt-in "keep my text" storage. */
(function () {
  "use strict";

  var STORE_PREFIX = "rehearse:text:";

  function byId(id) { return document.getElementById(id); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function storage() {
    try {
      var probe = "rehearse:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;  // private mode or storage disabled: the option is not offered
    }
  }

  function announce(message) {
    var region = byId("announce");
    if (region) { region.textContent = message; }
  }

  // Shared with the page scripts loaded after this one (prepare.js): one copy of the small helpers.
  window.rehearse = Object.freeze({byId: byId, all: all, storage: storage, announce: announce});

  function initCheckPage(form) {
    var text = byId("text");
    var dismissed = byId("dismissed");
    var undoButton = byId("undo");
    var count = byId("text-count");
    var keep = byId("keep");
    var store = storage();
    var storeKey = STORE_PREFIX + form.dataset.mode;
    var max = parseInt(form.dataset.max, 10) || 20000;
    var steps = [];            // the undo stack: {what: "rewrite" | "dismissal" | "restore", ...}
    var focusAfterSwap = null; // what to focus once new results arrive
    var focusBeforeSwap = null;

    // The page shows what the server rendered; nothing typed earlier comes back unless opted in.
    if (text.value !== text.defaultValue) { text.value = text.defaultValue; }
    if (dismissed.value !== dismissed.defaultValue) { dismissed.value = dismissed.defaultValue; }

    function submit() {
      markStale();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    }

    function keys() {
      try {
        var parsed = JSON.parse(dismissed.value || "[]");
        return Array.isArray(parsed) ? parsed : [];
      } catch (e) {
        return [];
      }
    }

    function updateCount() {
      var n = Array.from(text.value).length;
      var over = n > max;
      count.textContent = n.toLocaleString("en") + " of " + max.toLocaleString("en") + " characters" +
        (over ? ": too long, please check it in parts" : "");
      count.classList.toggle("is-over", over);
    }

    function save() {
      if (store && keep && keep.checked) {
        try {
          store.setItem(storeKey, JSON.stringify({ text: text.value, dismissed: dismissed.value }));
        } catch (e) { /* full: keep working without it */ }
      }
    }

    // Undo reverses in-page actions one by one without touching what was typed since: a rewrite
    // is undone by putting the original words back where the new ones still stand.
    function remember(step) {
      steps.push(step);
      if (steps.length > 50) { steps.shift(); }
      showUndo();
    }

    function showUndo() {
      var last = steps[steps.length - 1];
      undoButton.hidden = !last;
      if (last) { undoButton.textContent = "Undo " + last.what; }
    }

    function changed() {
      updateCount();
      save();
      submit();
    }

    function markStale() {
      var results = byId("results");
      if (results) { results.classList.add("is-stale"); }
    }

    function cardIndex(element) {
      var card = element.closest(".flag");
      return card ? all("#results .flag").indexOf(card) : -1;
    }

    function applyRewrite(button) {
      var start = parseInt(button.dataset.start, 10);
      var end = parseInt(button.dataset.end, 10);
      var expect = button.dataset.expect;
      var replacement = button.dataset.replacement;
      var value = text.value;
      if (value.slice(start, end) !== expect) {
        // The text changed since this suggestion was made: find the words again if that is unambiguous.
        var at = expect ? value.indexOf(expect) : -1;
        if (at === -1 || value.indexOf(expect, at + 1) !== -1) {
          announce("The text changed since that suggestion, so it was not applied. Checking again.");
          submit();
          return;
        }
        start = at;
        end = at + expect.length;
      }
      remember({ what: "rewrite", start: start, inserted: replacement, original: value.slice(start, end) });
      text.value = value.slice(0, start) + replacement + value.slice(end);
      text.setSelectionRange(start, start + replacement.length);
      focusAfterSwap = { card: cardIndex(button) };
      announce("Rewrite applied. Checking again.");
      changed();
    }

    function dismiss(button) {
      var list = keys();
      if (list.indexOf(button.dataset.dismiss) === -1) { list.push(button.dataset.dismiss); }
      remember({ what: "dismissal", key: button.dataset.dismiss });
      dismissed.value = JSON.stringify(list);
      focusAfterSwap = { card: cardIndex(button) };
      announce("Dismissed for this text.");
      save();
      submit();
    }

    function restore(button) {
      var key = button.dataset.restore;
      var before = keys();
      remember({ what: "restore", keys: key === "*" ? before : [key] });
      dismissed.value = JSON.stringify(key === "*" ? [] : before.filter(function (k) { return k !== key; }));
      focusAfterSwap = { heading: true };
      save();
      submit();
    }

    function undo() {
      var step = steps.pop();
      showUndo();
      if (!step) { return; }
      if (step.what === "rewrite") {
        var value = text.value;
        var at = value.slice(step.start, step.start + step.inserted.length) === step.inserted
          ? step.start : value.indexOf(step.inserted);
        if (at === -1 || (at !== step.start && value.indexOf(step.inserted, at + 1) !== -1)) {
          announce("The rewritten words have been edited since, so they were left as they are.");
          return;
        }
        text.value = value.slice(0, at) + step.original + value.slice(at + step.inserted.length);
        text.setSelectionRange(at, at + step.original.length);
      } else if (step.what === "example") {
        text.value = step.previous;
        dismissed.value = step.dismissed;
      } else if (step.what === "dismissal") {
        dismissed.value = JSON.stringify(keys().filter(function (k) { return k !== step.key; }));
      } else {
        dismissed.value = JSON.stringify(keys().concat(step.keys.filter(function (k) { return keys().indexOf(k) === -1; })));
      }
      announce("Undone. Checking again.");
      changed();
    }

    // The example replaces the text in place (undoably) instead of leaving the page and the text.
    function showExample(link) {
      if (text.value === link.dataset.example) { return; }
      remember({ what: "example", previous: text.value, dismissed: dismissed.value });
      text.value = link.dataset.example;
      dismissed.value = "[]";
      announce("Example text inserted. Checking it.");
      changed();
    }

    function copy(button) {
      var original = button.textContent;
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = "Copied";
        announce("Copied to the clipboard.");
      }, function () {
        button.textContent = "Select and copy it instead";
      }).then(function () {
        window.setTimeout(function () { button.textContent = original; }, 2500);
      });
    }

    function select(id) {
      var card = byId(id);
      if (!card) { return; }
      all(".is-selected").forEach(function (el) { el.classList.remove("is-selected"); });
      card.classList.add("is-selected");
      all("a.mark").forEach(function (mark) {
        if (mark.dataset.flag === id) { mark.classList.add("is-selected"); }
      });
      var details = card.querySelector("details");
      if (details) { details.open = true; }
      card.focus();
    }

    function enhance() {
      if (navigator.clipboard && window.isSecureContext) {
        all("button[data-copy]").forEach(function (b) { b.hidden = false; });
      }
    }

    form.addEventListener("click", function (event) {
      if (event.target.closest("#undo")) { event.preventDefault(); undo(); }
      var example = event.target.closest("#example-link");
      if (example) { event.preventDefault(); showExample(example); }
    });

    document.addEventListener("click", function (event) {
      var el = event.target.closest("button[data-apply], button[data-dismiss], button[data-restore], button[data-copy], a.mark");
      if (!el || !byId("results") || !byId("results").contains(el)) { return; }
      event.preventDefault();
      if (el.matches("a.mark")) { select(el.dataset.flag); }
      else if (el.hasAttribute("data-apply")) { applyRewrite(el); }
      else if (el.hasAttribute("data-dismiss")) { dismiss(el); }
      else if (el.hasAttribute("data-restore")) { restore(el); }
      else if (el.hasAttribute("data-copy")) { copy(el); }
    });

    text.addEventListener("input", function () {
      updateCount();
      save();
      markStale();
    });

    // An answer is shown only if the text (and dismissals) are still what was sent: a slow answer
    // for an older text never overwrites the results of a newer one, which is already on its way.
    var sent = new WeakMap();
    function snapshot() { return text.value + "\u0000" + dismissed.value; }

    // The action buttons are submit buttons for the form without JavaScript; here they act in the
    // page, so their names must not reach the server (htmx sends the last button clicked).
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt !== form) { return; }
      ["apply", "dismiss", "restore", "undo", "previous"].forEach(function (name) {
        delete event.detail.parameters[name];
      });
    });

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt === form) { sent.set(event.detail.xhr, snapshot()); }
    });

    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var was = sent.get(event.detail.xhr);
      if (was !== undefined && was !== snapshot()) {
        event.detail.shouldSwap = false;
        return;
      }
      // Keep the keyboard user's place when the results are replaced under them.
      var active = document.activeElement;
      var results = byId("results");
      focusBeforeSwap = results && active && results.contains(active)
        ? { id: active.id, card: cardIndex(active) } : null;
    });

    document.body.addEventListener("htmx:afterSettle", function () {
      enhance();
      var wanted = focusAfterSwap || focusBeforeSwap;
      focusAfterSwap = focusBeforeSwap = null;
      var active = document.activeElement;
      // Only where the swap took focus away: never pull someone out of the text box mid-sentence.
      if (!wanted || (active && active !== document.body)) { return; }
      var target = wanted.id ? byId(wanted.id) : null;
      if (!target && wanted.card >= 0) {
        var cards = all("#results .flag");
        target = cards[Math.min(wanted.card, cards.length - 1)] || null;
      }
      (target || byId("results-title")).focus();
    });

    if (store && keep) {
      byId("keep-row").hidden = false;
      var saved = null;
      try { saved = JSON.parse(store.getItem(storeKey) || "null"); } catch (e) { saved = null; }
      keep.checked = Boolean(saved && typeof saved.text === "string");
      if (keep.checked) {
        if (!text.value.trim() && saved.text.trim()) {
          text.value = saved.text;
          dismissed.value = typeof saved.dismissed === "string" ? saved.dismissed : "[]";
          updateCount();
          window.setTimeout(submit, 0);
        }
      }
      keep.addEventListener("change", function () {
        if (keep.checked) {
          save();
          announce("Your text will be kept in this browser.");
        } else {
          store.removeItem(storeKey);
          announce("Your text is no longer kept in this browser.");
        }
      });
    }

    updateCount();
    enhance();
  }

  // Printing shows every explanation and source.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = all("details:not([open])");
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  function start() {
    var form = byId("check-form");
    if (form) { initCheckPage(form); }
  }

  // After htmx (loaded first, also deferred) has set up the form on DOMContentLoaded.
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
}());
