// Live updates (planner.live): one EventSource per page on /events. The calendar refetches when
// someone else schedules or moves a fragment; the bell and the menu counts update; a fragment
// page shows who else has it open and warns when someone else saved it meanwhile.
(function () {
  "use strict";

  if (!window.EventSource) return;
  const holder = document.querySelector("[data-live-fragment]");
  const fragmentId = holder ? holder.dataset.liveFragment : null;
  const url = "/events" + (fragmentId ? "?fragment=" + encodeURIComponent(fragmentId) : "");

  let countsPending = null;
  function refreshCounts() {
    if (countsPending) return;
    countsPending = setTimeout(async () => {
      countsPending = null;
      try {
        const response = await fetch("/events/counts", { credentials: "same-origin" });
        if (!response.ok) return;
        const counts = await response.json();
        Object.entries(counts).forEach(([key, value]) => {
          document.querySelectorAll('[data-live-count="' + key + '"]').forEach((badge) => {
            badge.textContent = String(value);
            badge.hidden = !value;
          });
        });
      } catch (error) {
        /* the next change tries again */
      }
    }, 150);
  }

  function refetchCalendars() {
    document.querySelectorAll("[data-events-url]").forEach((el) => {
      if (el.calendar) el.calendar.refetchEvents();
    });
  }

  async function showPresence() {
    if (!holder) return;
    try {
      const response = await fetch("/events/presence/" + encodeURIComponent(fragmentId), {
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      const names = data.others || [];
      holder.textContent = names.length ? holder.dataset.labelOthers.replace("%s", names.join(", ")) : "";
      holder.hidden = names.length === 0;
    } catch (error) {
      /* presence is a hint */
    }
  }

  function warnChanged(detail) {
    const warning = document.querySelector("[data-live-changed]");
    if (!warning) return;
    warning.textContent = warning.dataset.label.replace("%s", detail.actor || "?");
    warning.hidden = false;
  }

  // The crisis pause: the banner appears (or goes) on every open page at once.
  function pauseBanner(detail) {
    const main = document.getElementById("main");
    if (!main) return;
    let banner = document.querySelector("[data-pause-banner]");
    if (detail.paused) {
      if (!banner) {
        banner = document.createElement("div");
        banner.className = "pause-banner";
        banner.setAttribute("role", "alert");
        banner.dataset.pauseBanner = "";
        main.prepend(banner);
      }
      if (detail.reason) {
        banner.textContent = (main.dataset.labelPaused || "") + " " + detail.reason;
      }
    } else if (banner) {
      banner.remove();
    }
  }

  const source = new EventSource(url, { withCredentials: true });
  const handle = (event) => {
    let detail = {};
    try {
      detail = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    document.dispatchEvent(new CustomEvent("planner:change", { detail: detail }));
    if (event.type === "calendar" && !detail.mine) refetchCalendars();
    if (["calendar", "inbox", "approval", "notifications"].includes(event.type)) refreshCounts();
    if (event.type === "publishing") pauseBanner(detail);
    if (event.type === "presence" && fragmentId && String(detail.subject_id) === fragmentId) showPresence();
    if (event.type === "fragment" && !detail.mine && fragmentId && String(detail.subject_id) === fragmentId) warnChanged(detail);
  };
  ["calendar", "inbox", "approval", "notifications", "presence", "fragment", "publishing"].forEach((type) =>
    source.addEventListener(type, handle)
  );
  source.addEventListener("open", () => {
    document.documentElement.dataset.live = "open";
  });
  refreshCounts();
  if (holder) setTimeout(showPresence, 500);
})();
