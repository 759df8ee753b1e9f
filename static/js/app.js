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
