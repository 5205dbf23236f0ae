/* Behaviour the pages used to carry inline, as data attributes (the CSP allows no inline script).
 *   data-autosubmit          on a control: changing it sends its form (period pickers).
 *   data-ctrl-enter-submits  on a textarea: Ctrl+Enter (Cmd+Enter) sends its form (the desk).
 *   data-enter-triggers=EV   on an input: Enter fires the htmx event EV instead of sending the form.
 *   data-back                on a link: go back in the browser's history when there is one (error pages);
 *                            the link's own address (the referring page, or home) is the fallback.
 *   data-menu-toggle         on a button in the header: opens and closes the navigation on a phone.
 *   data-fold-on-phone       on an open <details>: closed on a small screen unless it has data-has-values
 *                            (the queue's rarer filters).
 *   data-print               on a button: opens the browser's print dialog (the survey poster).
 *   data-unit-picker=URL     on a text input for unit codes: suggests units in the reader's scope (name or
 *                            code, from URL?q=) in a <datalist>; with data-unit-many, for the last of several
 *                            units separated by 、 or , (the earlier ones are kept in the suggestion).
 *   data-person-picker=URL   the same for user names (URL answers {"people": [...]}, in the reader's scope);
 *                            data-unit-many works with it too (several owners).
 * Listeners sit on the document, so content swapped in by htmx behaves the same. */
(function () {
  "use strict";
  document.documentElement.classList.add("js"); // the phone header folds its menu only when this script runs
  function foldOnPhone() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 640px)").matches) return;
    document.querySelectorAll("details[data-fold-on-phone]:not([data-has-values])").forEach(function (d) {
      d.open = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", foldOnPhone);
  else foldOnPhone();
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
  });
  document.addEventListener("click", function (event) {
    var back = event.target.closest && event.target.closest("a[data-back]");
    if (back && window.history.length > 1 && document.referrer.indexOf(window.location.origin) === 0) {
      event.preventDefault();
      window.history.back();
    }
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var header = toggle.closest(".site-header");
      var open = header.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  var pickerTimer = null;
  var pickerCount = 0;
  function suggestUnits(input) {
    var value = input.value, prefix = "", query = value;
    if (input.hasAttribute("data-unit-many")) {
      var parts = value.match(/^(.*[\u3001,\uff0c;\uff1b]\s*)?([^\u3001,\uff0c;\uff1b]*)$/);
      prefix = (parts && parts[1]) || "";
      query = parts ? parts[2] : value;
    }
    query = query.trim();
    var people = input.hasAttribute("data-person-picker");
    if (!input.id) input.id = "unit-picker-" + (++pickerCount);
    var list = document.getElementById(input.id + "-units");
    if (!list) {
      list = document.createElement("datalist");
      list.id = input.id + "-units";
      input.insertAdjacentElement("afterend", list);
      input.setAttribute("list", list.id);
    }
    if (!query) { list.replaceChildren(); return; }
    var url = input.getAttribute(people ? "data-person-picker" : "data-unit-picker") + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { units: [], people: [] }; })
      .then(function (data) {
        if (input.value !== value) return; // typed on since: a newer answer is coming
        var options = people
          ? (data.people || []).map(function (person) {
              var option = document.createElement("option");
              option.value = prefix + person.username;
              option.label = person.name + (person.unit ? " · " + person.unit : ""); // two 张伟 told apart by unit
              return option;
            })
          : (data.units || []).map(function (unit) {
              var option = document.createElement("option");
              option.value = prefix + unit.code;
              option.label = unit.path; // "浙江省 / 杭州市 / … / the unit": tells two units of one name apart
              return option;
            });
        list.replaceChildren.apply(list, options);
      })
      .catch(function () { /* no suggestions: the field still takes a typed code or name */ });
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("input[data-unit-picker], input[data-person-picker]")) return;
    window.clearTimeout(pickerTimer);
    pickerTimer = window.setTimeout(function () { suggestUnits(el); }, 250);
  });
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || !el.matches) return;
    if (el.matches("textarea[data-ctrl-enter-submits]") && (event.ctrlKey || event.metaKey) && el.form) {
      event.preventDefault();
      el.form.requestSubmit();
    } else if (el.matches("[data-enter-triggers]") && window.htmx) {
      event.preventDefault();
      window.htmx.trigger(el, el.getAttribute("data-enter-triggers"));
    }
  });
})();
