"""The playground page in a real browser (Debian's chromium, driven by Playwright): a person's
clicks and keystrokes, the real bot's answers through the emulator, and what the page shows.

Screenshots of each case go to the test's tmp folder (`docs/playground.png` is the one of
`test_next_edits_the_message_in_place`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from bot.emulator.interactions import AUTOCOMPLETE
from bot.playground.server import Playground
from tests.support.harness import wait_for
from tests.support.paths import CONTENT_DIR

DOC = "bluebook-2020-russia"
ECONOMY_KEY = f"{DOC}#russia/japan-russia-relations/japan-russia-economic-relations"
ECONOMY = "C Japan-Russia Economic Relations"
NORTHERN = "B The Northern Territories and Negotiations on Peace Treaty"
ADDED = "A sentence added in the playground editor."


class Driver:
    """What a person does on the page."""

    def __init__(self, page: Any, playground: Playground, shots: Path) -> None:
        from playwright.async_api import expect

        self.page = page
        self.playground = playground
        self.shots = shots
        self.expect = expect

    async def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path

    async def view_as(self, viewer: str) -> None:
        await self.page.select_option("#viewer", viewer)
        await self.page.wait_for_selector("body[data-ready='1']")

    async def open_channel(self, name: str) -> None:
        await self.page.click(f"#channels li:has-text('{name}')")
        await self.expect(self.page.locator("#channel-name")).to_have_text(name)

    async def pick_command(self, name: str) -> None:
        await self.page.fill("#input", "/" + name.split()[0])
        await self.page.click(f"#command-list [data-command='{name}']")
        await self.expect(self.page.locator("#command-chip")).to_have_text(f"/{name}")

    async def pick_choice(self, option: str, typed: str, choice: str) -> None:
        """Type into an autocomplete option and click one of the bot's suggestions."""
        await self.page.fill(f"#option-{option}", typed)
        item = self.page.locator(f".option[data-option='{option}'] .popup-item", has_text=choice)
        await item.first.click()

    async def run(self, name: str, **options: str) -> None:
        """Run a command; string values are typed, `#name` picks a channel, True/False too."""
        await self.pick_command(name)
        for option, value in options.items():
            control = self.page.locator(f"#option-{option}")
            if await control.evaluate("e => e.tagName") == "SELECT":
                await control.select_option(label=value)
            else:
                await control.fill(value)
        await self.send()

    async def send(self) -> None:
        await self.page.click("#command-send")
        await self.expect(self.page.locator("#command-form")).to_be_hidden()

    def messages(self) -> Any:
        return self.page.locator("#messages article.message")


async def driver(browser_page: Any, playground: Playground, tmp_path: Path) -> Driver:
    return Driver(browser_page, playground, tmp_path)


async def test_the_page_loads_and_says_it_is_simulated(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    banner = d.page.locator("#banner")
    await d.expect(banner).to_contain_text("simulated Discord")
    await d.expect(banner).to_contain_text("no connection to Discord")
    await d.expect(d.page.locator("#connection")).to_have_text("connected to the local bot")
    await d.expect(d.page.locator("#channels li")).to_have_text(["#general", "#briefings", "#news"])
    await d.expect(d.page.locator("#viewer option")).to_have_count(3)
    await d.expect(d.page.locator("#guild-name")).to_have_text("Briefing Bot Playground")
    await d.shot("loaded")


async def test_slash_sec_offers_the_commands_then_live_autocomplete(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.page.fill("#input", "/sec")
    listed = d.page.locator("#command-list [data-command]")
    await d.expect(listed).to_have_count(1)
    await d.expect(listed).to_have_attribute("data-command", "section")
    await d.page.fill("#input", "/s")
    names = await listed.evaluate_all("items => items.map(i => i.dataset.command)")
    assert {"search", "section", "summit"} <= set(names), names
    await d.page.fill("#input", "/sec")
    await d.expect(listed).to_have_count(1)
    await d.page.click("#command-list [data-command='section']")
    await d.page.fill("#option-query", "north")
    choices = d.page.locator(".option[data-option='query'] .popup-item")
    await d.expect(choices.first).to_contain_text("Northern Territories")
    await d.shot("autocomplete")
    # The suggestions came from the bot: an autocomplete interaction went through the emulator.
    asked = [
        h.payload["data"]
        for h in playground.emulator.interactions.by_id.values()
        if h.payload["type"] == AUTOCOMPLETE
    ]
    focused = [o for data in asked for o in data["options"] if o.get("focused")]
    assert any(o["value"] == "north" for o in focused), focused


async def test_section_renders_an_embed_with_its_title_and_footnotes(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.pick_command("section")
    await d.pick_choice("query", "economic relations", ECONOMY)
    await d.send()
    message = d.messages().last
    await d.expect(message.locator(".embed-title")).to_have_text(ECONOMY)
    await d.expect(message.locator(".used")).to_have_text("↳ Mika used /section")
    snapshot = playground.running.bot.snapshot if playground.running else None
    section = snapshot.section(ECONOMY_KEY) if snapshot else None
    assert section is not None and section.footnotes
    number = section.footnotes[0].number
    await d.expect(message.locator(".embed-description")).to_contain_text(f"[{number}]")
    await d.expect(message.locator(".embed-field-name").first).to_have_text(f"Footnote {number}")
    await d.expect(message.locator(".embed-field-value").first).to_contain_text(
        section.footnotes[0].text[:40]
    )
    await d.expect(message.locator(".embed-author")).to_contain_text("Diplomatic Bluebook 2020")
    await d.expect(message.locator(".embed-footer")).not_to_be_empty()
    colour = await message.locator(".embed").evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour != "rgb(30, 31, 34)", colour  # the embed's own colour, not the default
    await d.shot("section")


async def test_next_edits_the_message_in_place(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.run("section", query="Northern Territories")
    message = d.messages().last
    await d.expect(message.locator(".embed-title")).to_have_text(NORTHERN)
    await d.expect(message.locator(".embed-footer")).to_contain_text("page 1/2")
    message_id = await message.get_attribute("data-id")
    await message.locator("button", has_text="Next").click()
    same = d.page.locator(f"#messages article[data-id='{message_id}']")
    await d.expect(same.locator(".embed-footer")).to_contain_text("page 2/2")
    await d.expect(same.locator(".edited")).to_have_text("(edited)")
    await d.expect(same.locator(".embed-field-name").first).to_contain_text("Footnote")
    await d.expect(d.messages()).to_have_count(1)
    await d.expect(d.page.locator("#messages .empty")).to_have_count(0)
    await d.shot("playground")


async def test_an_ephemeral_reply_is_seen_only_by_its_viewer(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.run("section", query="Russian Economy", private="True")
    mine = d.messages().last
    await d.expect(mine.locator(".ephemeral-note")).to_contain_text("Only you can see this")
    await d.shot("ephemeral-member")
    await d.view_as("admin")
    await d.expect(d.messages()).to_have_count(0)
    await d.expect(d.page.locator("#messages .empty")).to_be_visible()
    await d.view_as("member")
    await d.expect(d.messages()).to_have_count(1)
    await d.expect(d.messages().last.locator(".embed-title")).to_have_text("B Russian Economy")


async def test_an_admins_subscription_posts_exactly_one_briefing_when_the_clock_moves(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.view_as("admin")
    await d.run("briefing subscribe", channel="#briefings")
    reply = d.messages().last
    await d.expect(reply).to_contain_text("Subscribed")
    await d.expect(reply.locator(".ephemeral-note")).to_be_visible()
    await d.expect(d.page.locator("#advance")).to_be_enabled()
    await d.page.click("#advance")
    await d.expect(d.page.locator("#clock-status")).to_contain_text("Jumped to")
    await d.expect(d.page.locator("#channels li.unread")).to_have_text("#briefings")
    await d.open_channel("briefings")
    await d.expect(d.messages()).to_have_count(1)
    await d.expect(d.messages().last.locator(".embed")).to_be_visible()
    # The dispatcher is done once it looks ahead to the day after: still exactly one post.
    runtime = playground.running.bot.briefings if playground.running else None
    assert runtime is not None
    await wait_for(lambda: runtime.dispatcher.status().sent == 1, timeout=10)
    await wait_for(
        lambda: (due := runtime.dispatcher.status().next_due) and due > playground.clock.now(),
        timeout=10,
    )
    channel = next(c for c in playground.emulator.guild.channels.values() if c.name == "briefings")
    assert len(playground.emulator.state.messages[channel.id]) == 1
    await d.expect(d.messages()).to_have_count(1)
    await d.shot("briefing")


async def test_a_members_subscribe_is_refused(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    await d.pick_command("briefing subscribe")
    await d.expect(d.page.locator("#command-description")).to_contain_text("hides this command")
    await d.page.locator("#option-channel").select_option(label="#briefings")
    await d.send()
    reply = d.messages().last
    await d.expect(reply).to_contain_text("Manage Server")
    await d.expect(reply.locator(".ephemeral-note")).to_be_visible()
    runtime = playground.running.bot.briefings if playground.running else None
    assert runtime is not None and await runtime.store.list_enabled() == []
    await d.shot("refused")


async def test_an_edit_then_admin_reload_shows_the_diff_and_serves_the_new_text(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    repository = next((CONTENT_DIR / DOC / "sections").glob("*economic-relations.md"))
    before = repository.read_text(encoding="utf-8")
    await d.page.focus("#section-select")
    await d.page.select_option("#section-select", ECONOMY_KEY)
    text = d.page.locator("#section-text")
    await d.expect(text).not_to_have_value("")
    await text.fill(await text.input_value() + "\n\n" + ADDED)
    await d.page.click("#section-save")
    await d.expect(d.page.locator("#section-status")).to_contain_text("Saved")
    await d.view_as("owner")
    await d.run("admin reload")
    report = d.messages().last
    await d.expect(report.locator(".embed-title")).to_have_text("Content reloaded")
    changed = report.locator(".embed-description")
    await d.expect(changed).to_contain_text("Sections changed (1)")
    await d.expect(changed).to_contain_text("japan-russia-economic-relations")
    await d.shot("reload")
    await d.pick_command("section")
    await d.pick_choice("query", "economic relations", ECONOMY)
    await d.send()
    await d.expect(d.messages().last.locator(".embed-description")).to_contain_text(ADDED)
    assert repository.read_text(encoding="utf-8") == before


async def test_markdown_is_rendered_safely(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    html = await d.page.evaluate(
        """() => {
          const box = document.createElement("div");
          const text = "**bold** *it* `code` \\\\*not italic\\\\* <img src=x onerror=alert(1)> "
            + "[site](https://example.org) [bad](javascript:alert(1)) @\\u200beveryone\\n> quoted";
          box.append(DiscordMarkdown.render(text, {users: {}, roles: {}, channels: {}}));
          return box.innerHTML;
        }"""
    )
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<code class="md-code">code</code>' in html
    assert "*not italic*" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://example.org/"' in html and "javascript:" not in html.split("[bad]")[0]
    assert 'href="javascript' not in html
    assert '<blockquote class="md-quote">' in html


async def test_a_deferred_answer_shows_thinking_until_it_is_edited(
    browser_page: Any, playground: Playground, tmp_path: Path
) -> None:
    d = await driver(browser_page, playground, tmp_path)
    emulator = playground.emulator
    # Answered here over the emulator's REST, as the bot would: a defer, then the edit.
    handle = emulator.prepare_command("help", member=playground.viewers["member"].member)
    base = emulator.api_base_url
    webhook = f"{base}/webhooks/{emulator.state.application_id}/{handle.token}"
    async with aiohttp.ClientSession() as session:
        callback = f"{base}/interactions/{handle.id}/{handle.token}/callback"
        async with session.post(callback, json={"type": 5}) as response:
            assert response.status == 204
        thinking = d.messages().last.locator(".thinking")
        await d.expect(thinking).to_have_text("Briefing Bot is thinking…")
        await d.shot("thinking")
        edit = {"content": f"**Done**: see <#{emulator.channel.id}>"}
        async with session.patch(f"{webhook}/messages/@original", json=edit) as response:
            assert response.status == 200
    content = d.messages().last.locator(".content")
    await d.expect(content).to_have_text("Done: see #general")
    await d.expect(content.locator("strong")).to_have_text("Done")
    await d.expect(d.messages().last.locator(".thinking")).to_have_count(0)
