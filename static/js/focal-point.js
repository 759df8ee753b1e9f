// Set a photo's focal point by clicking it: fills the numeric fields (the keyboard way to do the
// same thing) and sends their form. Without JavaScript the fields and button work on their own.
(() => {
  const round = (value) => Math.round(Math.min(Math.max(value, 0), 1) * 1000) / 1000;

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-focal-picker][data-focal-form]").forEach((picker) => {
      const form = document.getElementById(picker.dataset.focalForm);
      const image = picker.querySelector("img");
      const marker = picker.querySelector(".focal-picker__marker");
      if (!form || !image) return;
      const inputs = form.querySelectorAll('input[type="text"], input[type="number"]');
      if (inputs.length < 2) return;
      picker.classList.add("focal-picker--active");
      image.addEventListener("click", (event) => {
        const box = image.getBoundingClientRect();
        const x = round((event.clientX - box.left) / box.width);
        const y = round((event.clientY - box.top) / box.height);
        inputs[0].value = String(x);
        inputs[1].value = String(y);
        if (marker) {
          marker.style.left = `${x * 100}%`;
          marker.style.top = `${y * 100}%`;
        }
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      });
    });
  });
})();
