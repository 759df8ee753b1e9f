// Refuse photos that are too large before they are sent: a request over the server's limit is
// refused whole, and everything typed in the form would be lost. The server checks again.
(() => {
  const showError = (box, message) => {
    let note = box.querySelector(".photo-limits__error");
    if (!note) {
      note = document.createElement("p");
      note.className = "field__error photo-limits__error";
      note.setAttribute("role", "alert");
      box.appendChild(note);
    }
    note.textContent = message;
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-photo-limits]").forEach((box) => {
      const maxBytes = Number(box.dataset.maxBytes);
      const maxTotal = Number(box.dataset.maxTotal);
      const inputs = box.querySelectorAll('input[type="file"]');
      inputs.forEach((input) => {
        input.addEventListener("change", () => {
          const file = input.files && input.files[0];
          if (file && file.size > maxBytes) {
            input.value = "";
            showError(box, box.dataset.tooBig);
            input.focus();
          }
        });
      });
      const form = box.closest("form");
      if (!form) return;
      form.addEventListener("submit", (event) => {
        let total = 0;
        inputs.forEach((input) => {
          if (input.files && input.files[0]) total += input.files[0].size;
        });
        if (total > maxTotal) {
          event.preventDefault();
          showError(box, box.dataset.tooMuch);
        }
      });
    });
  });
})();
