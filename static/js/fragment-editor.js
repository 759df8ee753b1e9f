// Fragment editor: a finding's "replace" button swaps the matched words in its textarea, then
// fires an input event so the live counter, preview and checks follow.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".js-replace");
  if (!button) return;
  const area = document.querySelector(`[data-field="${button.dataset.field}"]`);
  if (!area) return;
  const match = button.dataset.match || "";
  let start = Number(button.dataset.start);
  let end = Number(button.dataset.end);
  if (area.value.slice(start, end) !== match) {
    start = area.value.indexOf(match);
    if (start < 0) return;
    end = start + match.length;
  }
  area.value = area.value.slice(0, start) + button.dataset.replacement + area.value.slice(end);
  area.focus();
  area.setSelectionRange(start + button.dataset.replacement.length, start + button.dataset.replacement.length);
  area.dispatchEvent(new Event("input", { bubbles: true }));
});
