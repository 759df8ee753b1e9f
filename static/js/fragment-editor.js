// Fragment editor: a finding's "replace" button swaps the matched words in its textarea, then
// fires an input event so the live counter, preview and checks follow. For threads, parts can be
// added and removed (1 to data-max-parts); fields are renumbered so each keeps its own counter.
(() => {
  const textareaFor = (field) => document.querySelector(`#fragment-form [data-field="${field}"]`);

  const refreshLive = (area) => {
    if (window.htmx && area) {
      window.htmx.ajax("POST", area.getAttribute("hx-post"), { source: area, target: "#live" });
    }
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".js-replace");
    if (!button) return;
    let area = textareaFor(button.dataset.field);
    if (!area) return;
    const match = button.dataset.match || "";
    // The server counts code points, the browser UTF-16 units: verify, else find the match.
    let start = Number(button.dataset.start);
    let end = Number(button.dataset.end);
    if (area.value.slice(start, end) !== match) {
      // An article is checked as title, lead and body together: the match may sit in any.
      const fields = [
        area,
        ...document.querySelectorAll(
          `#fragment-form [data-checked-with="${button.dataset.field}"]`,
        ),
      ];
      area = fields.find((candidate) => candidate.value.includes(match));
      if (!area) return;
      start = area.value.indexOf(match);
      end = start + match.length;
    }
    const replacement = button.dataset.replacement;
    area.value = area.value.slice(0, start) + replacement + area.value.slice(end);
    area.focus();
    area.setSelectionRange(start + replacement.length, start + replacement.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });

  const parts = () => document.getElementById("thread-parts");

  const renumber = (container) => {
    const blocks = container.querySelectorAll(".thread-part");
    const total = blocks.length;
    const max = Number(container.dataset.maxParts || 25);
    blocks.forEach((block, i) => {
      const field = `part-${i}`;
      const area = block.querySelector("textarea");
      const label = block.querySelector("label");
      const counter = block.querySelector(".counter");
      const remove = block.querySelector(".js-remove-part");
      area.id = field;
      area.dataset.field = field;
      area.setAttribute("aria-describedby", `counter-${field}`);
      label.htmlFor = field;
      label.textContent = container.dataset.labelPart
        .replace("{n}", String(i + 1))
        .replace("{total}", String(total));
      if (counter) counter.id = `counter-${field}`;
      if (remove) {
        remove.textContent = container.dataset.labelRemove.replace("{n}", String(i + 1));
        remove.disabled = total <= 1;
      }
    });
    const add = document.querySelector(".js-add-part");
    if (add) add.disabled = total >= max;
  };

  const announce = (template, n) => {
    const status = document.getElementById("thread-status");
    if (status && template) status.textContent = template.replace("{n}", String(n));
  };

  document.addEventListener("click", (event) => {
    const container = parts();
    if (!container) return;
    const add = event.target.closest(".js-add-part");
    if (add) {
      const blocks = container.querySelectorAll(".thread-part");
      if (blocks.length >= Number(container.dataset.maxParts || 25)) return;
      const copy = blocks[blocks.length - 1].cloneNode(true);
      const area = copy.querySelector("textarea");
      area.value = "";
      area.textContent = "";
      const counter = copy.querySelector(".counter");
      if (counter) {
        counter.textContent = "";
        counter.classList.remove("counter--over");
      }
      container.appendChild(copy);
      renumber(container);
      if (window.htmx) window.htmx.process(copy);
      area.focus();
      announce(container.dataset.msgAdded, blocks.length + 1);
      refreshLive(area);
      return;
    }
    const remove = event.target.closest(".js-remove-part");
    if (remove) {
      const blocks = Array.from(container.querySelectorAll(".thread-part"));
      if (blocks.length <= 1) return;
      const block = remove.closest(".thread-part");
      const index = blocks.indexOf(block);
      block.remove();
      renumber(container);
      const next = container.querySelectorAll(".thread-part textarea")[Math.max(0, index - 1)];
      if (next) next.focus();
      announce(container.dataset.msgRemoved, index + 1);
      refreshLive(next);
    }
  });
})();

// Photo picker: within the channel's limit, unticked boxes are disabled once the limit is reached
// (the server refuses more anyway), and a polite status line says how many are chosen.
(() => {
  const update = (picker) => {
    const boxes = Array.from(picker.querySelectorAll(".photo-picker__box"));
    const chosen = boxes.filter((box) => box.checked).length;
    const limit = Number(picker.dataset.limit || 0);
    if (limit) {
      boxes.forEach((box) => {
        if (!box.checked) box.disabled = chosen >= limit;
      });
    }
    const status = document.getElementById("photo-picker-status");
    if (status && picker.dataset.msgCount) {
      status.textContent = picker.dataset.msgCount
        .replace("{n}", String(chosen))
        .replace("{limit}", String(limit));
    }
  };

  document.addEventListener("change", (event) => {
    const box = event.target.closest(".photo-picker__box");
    if (!box) return;
    const picker = box.closest(".photo-picker");
    if (picker) update(picker);
  });
})();
