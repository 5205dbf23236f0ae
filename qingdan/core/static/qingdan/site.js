/* Behaviour the pages used to carry inline, as data attributes (the CSP allows no inline script).
 *   data-autosubmit          on a control: changing it sends its form (period pickers).
 *   data-ctrl-enter-submits  on a textarea: Ctrl+Enter (Cmd+Enter) sends its form (the desk).
 *   data-enter-triggers=EV   on an input: Enter fires the htmx event EV instead of sending the form.
 * Listeners sit on the document, so content swapped in by htmx behaves the same. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
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
