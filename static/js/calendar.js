// The planning calendar: FullCalendar in "UTC" mode showing the organisation's wall times.
// Every drag or drop is sent to the server, which decides; a refusal reverts the event and the
// reason is announced in the live region above the calendar.
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function announce(text, kind) {
    const region = document.getElementById("calendar-message");
    if (!region) return;
    region.className = "cal-message cal-message--" + kind;
    region.textContent = text;
  }

  // FullCalendar dates in UTC mode carry the wall time; strip the zone before sending.
  function wallTime(date) {
    return date.toISOString().slice(0, 16);
  }

  async function sendMove(url, payload, labels) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
        body: JSON.stringify(payload),
      });
    } catch (error) {
      return { ok: false, message: labels.network };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    return { ok: response.ok, message: data.message || labels.failed, event: data.event };
  }

  function renderContent(arg, labels) {
    const props = arg.event.extendedProps;
    const wrap = document.createElement("div");
    wrap.className = "cal-event__body";
    const head = document.createElement("div");
    head.className = "cal-event__head";
    const mark = labels.marks[props.channelId];
    if (mark) {
      const icon = document.createElement("span");
      icon.className = "cal-event__icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = mark;
      head.appendChild(icon);
    }
    if (arg.timeText) {
      const time = document.createElement("span");
      time.className = "cal-event__time";
      time.textContent = arg.timeText;
      head.appendChild(time);
    }
    if (props.conflict) {
      const mark = document.createElement("span");
      mark.className = "cal-event__mark";
      mark.title = labels.conflict;
      mark.textContent = "⚠";
      head.appendChild(mark);
    }
    if (props.delivery && ["failed", "missed", "needs_check"].includes(props.delivery)) {
      const mark = document.createElement("span");
      mark.className = "cal-event__mark cal-event__mark--attention";
      mark.textContent = "!";
      head.appendChild(mark);
    }
    if (props.status === "published") {
      const mark = document.createElement("span");
      mark.className = "cal-event__mark";
      mark.textContent = "✓";
      head.appendChild(mark);
    }
    wrap.appendChild(head);
    // The title has a line (two in the month grid) of its own, so it is never cut to a word.
    const title = document.createElement("div");
    title.className = "cal-event__title";
    if (arg.view.type.startsWith("list") && arg.event.url) {
      // The list's rows are not links themselves: the title is, so Tab and Enter reach the post.
      const link = document.createElement("a");
      link.href = arg.event.url;
      link.className = "cal-event__link";
      link.textContent = arg.event.title;
      title.appendChild(link);
    } else {
      title.textContent = arg.event.title;
    }
    wrap.appendChild(title);
    const meta = document.createElement("div");
    meta.className = "cal-event__meta";
    const bits = [props.channel, props.kind, props.deliveryLabel || props.statusLabel];
    meta.textContent = bits.filter(Boolean).join(" · ");
    wrap.appendChild(meta);
    return { domNodes: [wrap] };
  }

  function describe(event) {
    const props = event.extendedProps;
    const parts = [event.title, props.channel, props.kind, props.statusLabel];
    if (props.deliveryLabel) parts.push(props.deliveryLabel);
    return parts.filter(Boolean).join(", ");
  }

  // Clicking an event (or Enter on it) shows the post in a dialog; Escape or "Close" returns to
  // the event. Without the dialog's content the event's link still leads to the schedule form.
  async function openPeek(el, event, origin, labels) {
    const dialog = document.getElementById("peek");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    let response;
    try {
      response = await fetch(el.dataset.peekUrl.replace("/0/peek", "/" + event.id + "/peek"), {
        headers: { "X-Peek": "1" },
        credentials: "same-origin",
      });
    } catch (error) {
      announce(labels.network, "error");
      return true;
    }
    if (!response.ok) {
      announce(labels.failed, "error");
      return true;
    }
    dialog.querySelector(".peek-dialog__body").innerHTML = await response.text();
    dialog.origin = origin;
    dialog.showModal();
    dialog.querySelector(".peek-dialog__close").focus();
    return true;
  }

  function setUpPeek() {
    const dialog = document.getElementById("peek");
    if (!dialog) return;
    dialog.querySelector(".peek-dialog__close").addEventListener("click", () => dialog.close());
    // A click on the backdrop (outside the box) closes it too.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => {
      const origin = dialog.origin;
      if (origin && document.contains(origin)) {
        const target = origin.matches("a, button") ? origin : origin.querySelector("a") || origin;
        target.focus();
      }
    });
  }

  function init() {
    const el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) return;
    const labels = {
      conflict: el.dataset.labelConflict,
      attention: el.dataset.labelAttention,
      failed: el.dataset.labelFailed,
      network: el.dataset.labelNetwork,
      marks: JSON.parse(el.dataset.channelMarks || "{}"),
    };
    setUpPeek();
    const moveUrl = (id) => el.dataset.moveUrl.replace("/0/move", "/" + id + "/move");

    const calendar = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      locale: el.dataset.locale || "nl",
      // FullCalendar's Dutch locale lacks the list view's column names; ours come translated.
      timeHint: el.dataset.labelTime || "Tijd",
      eventHint: el.dataset.labelEvent || "Gebeurtenis",
      firstDay: 1,
      // A phone has no room for a month grid: it opens on the list (the buttons still switch).
      initialView: window.matchMedia("(max-width: 600px)").matches ? "listMonth" : "dayGridMonth",
      initialDate: el.dataset.initialDate || undefined,
      height: "auto",
      headerToolbar: {
        left: "prev,next today",
        center: "title",
        right: "dayGridMonth,timeGridWeek,timeGridDay,listMonth",
      },
      eventDisplay: "block",
      dayMaxEvents: 4,
      defaultTimedEventDuration: "00:30",
      // The whole day: a post planned at 23:30 must be visible; the view opens at seven.
      slotMinTime: "00:00:00",
      slotMaxTime: "24:00:00",
      scrollTime: "07:00:00",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      nowIndicator: true,
      // Events are wall times in the organisation's timezone shown as UTC; shift "now" the same way.
      now: () => new Date(Date.now() + Number(el.dataset.nowOffsetMinutes || 0) * 60000),
      editable: true,
      eventDurationEditable: false,
      droppable: true,
      events: { url: el.dataset.eventsUrl },
      eventContent: (arg) => renderContent(arg, labels),
      eventClick: (info) => {
        if (!document.getElementById("peek")) return;
        info.jsEvent.preventDefault();
        openPeek(el, info.event, info.el, labels);
      },
      eventDidMount: (info) => {
        info.el.setAttribute("aria-label", describe(info.event));
        info.el.dataset.fragmentId = info.event.id;
      },
      eventDrop: async (info) => {
        const result = await sendMove(
          moveUrl(info.event.id),
          { local: wallTime(info.event.start) },
          labels
        );
        if (!result.ok) {
          info.revert();
          announce(result.message, "error");
          return;
        }
        announce(result.message, "success");
        calendar.refetchEvents();
      },
      eventReceive: async (info) => {
        const id = info.event.id;
        const payload = info.event.allDay
          ? { day: info.event.startStr.slice(0, 10) }
          : { local: wallTime(info.event.start) };
        const result = await sendMove(moveUrl(id), payload, labels);
        info.event.remove();
        if (!result.ok) {
          announce(result.message, "error");
          return;
        }
        const item = document.querySelector('.to-plan__item[data-fragment-id="' + id + '"]');
        if (item) item.remove();
        announce(result.message, "success");
        calendar.refetchEvents();
      },
    });
    calendar.render();
    el.calendar = calendar;
    // FullCalendar's arrow icons are role="img" without text; the buttons carry the name.
    el.querySelectorAll(".fc-icon").forEach((icon) => icon.setAttribute("aria-hidden", "true"));
    el.querySelectorAll(".fc-button[title]:not([aria-label])").forEach((button) =>
      button.setAttribute("aria-label", button.title)
    );

    const list = document.getElementById("to-plan");
    if (list) {
      new FullCalendar.Draggable(list, {
        itemSelector: ".to-plan__item",
        eventData: (item) => ({
          id: item.dataset.fragmentId,
          title: item.dataset.title,
          backgroundColor: item.dataset.colour,
          borderColor: item.dataset.colour,
          textColor: "#ffffff",
          create: true,
        }),
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
