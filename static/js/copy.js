// Copy buttons: a button with data-copy-target copies the text (or value) of that element and a
// polite live region announces "copied". Buttons are real <button>s, so keyboard use comes free.
(function () {
  function announce(message) {
    const region = document.querySelector(".js-copy-status");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce it again on a second copy.
    window.setTimeout(() => { region.textContent = message; }, 50);
  }

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".js-copy");
    if (!button) return;
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    const text = "value" in target && target.tagName !== "PRE" ? target.value : target.textContent;
    let ok = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); ok = true; } catch (e) { ok = false; }
    }
    if (!ok) ok = fallbackCopy(text);
    const region = document.querySelector(".js-copy-status");
    const copied = (region && region.dataset.copied) || "Copied";
    if (ok) {
      button.dataset.copied = "true";
      announce(copied);
      window.setTimeout(() => { delete button.dataset.copied; }, 2000);
    } else if (target.select) {
      target.select();
    }
  });
})();
