// Small behaviours shared by every page. htmx requests carry the CSRF token from the page.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

// Irreversible actions ask first: a form (or its submit button) with data-confirm="…" submits
// only after "OK".
// Without JavaScript the form still works (the server never relies on this question).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// Typed text is not lost by accident: a form with data-unsaved="…" that has been changed makes
// leaving the page ask first (the browser shows its own wording; the attribute marks the form).
// Submitting the form itself, or a refused confirm, is not "leaving".
const changedForms = new Set();
document.addEventListener("input", (event) => {
  const form = event.target?.form || event.target?.closest?.("form");
  if (form instanceof HTMLFormElement && form.dataset.unsaved !== undefined) changedForms.add(form);
});
document.addEventListener("change", (event) => {
  const form = event.target?.form;
  if (form instanceof HTMLFormElement && form.dataset.unsaved !== undefined) changedForms.add(form);
});
document.addEventListener("submit", (event) => {
  if (!event.defaultPrevented && event.target instanceof HTMLFormElement) {
    changedForms.delete(event.target);
  }
});
window.addEventListener("beforeunload", (event) => {
  if (changedForms.size === 0) return;
  event.preventDefault();
  event.returnValue = "";
});
