"""The Content-Security-Policy in a real chromium (issue 12 item 9): an injected inline script does
not run, and the guard every browser test uses (conftest.watch_csp) hears the violation."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, watch_csp


def test_an_injected_inline_script_is_blocked_and_reported(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    violations = watch_csp(context)
    page = context.new_page()
    page.goto("/sign-in")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.appendChild(script);
          const img = document.createElement("img");
          img.setAttribute("onerror", "window.handler = true");
          img.src = "/no-such-image.png";
          document.body.appendChild(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => [window.injected === true, window.handler === true]") == [
        False,
        False,
    ]
    context.close()
    assert any("script-src" in v for v in violations), violations


def test_the_reviewer_page_refuses_to_be_framed(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_content(f'<iframe id="frame" src="{live_server.url}/sign-in"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frame_locator("#frame")
    assert frame.locator("input[type=password]").count() == 0
    context.close()
