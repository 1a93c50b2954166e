// The playground page: a Discord-like view of the emulator's demo server. Everything shown
// comes from /api/state and the /api/events stream; every action goes to the real bot as an
// interaction through the emulator. Text is only ever inserted as text (see markdown.js).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const md = window.DiscordMarkdown;
  const EPHEMERAL = 1 << 6;
  const LOADING = 1 << 7;
  const BUTTON_STYLES = { 1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link" };

  const S = {
    viewer: "member",
    channel: null,
    data: null,
    messages: new Map(), // channel id -> Map(message id -> view)
    commands: [],
    command: null,
    picked: {}, // option name -> autocomplete choice picked {name, value}
    highlighted: 0,
    events: null,
    pending: null, // events that arrived while a state fetch was in flight
    clock: null,
    clockAt: 0,
    unread: new Set(),
  };

  // -- helpers -------------------------------------------------------------------------------

  function el(tag, className, children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children || []) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function api(method, path, body) {
    const options = { method, headers: {} };
    if (method !== "GET") {
      // JSON only: the server refuses anything else, so no other site can post a form here.
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body === undefined ? {} : body);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  function simNow() {
    if (!S.clock) return new Date();
    return new Date(Date.parse(S.clock.now) + (performance.now() - S.clockAt));
  }

  function mdContext() {
    const channels = {};
    for (const c of S.data ? S.data.channels : []) channels[c.id] = c.name;
    return {
      users: S.data ? S.data.users : {},
      roles: S.data ? S.data.roles : {},
      channels,
      now: simNow,
    };
  }

  function when(iso) {
    const date = new Date(iso);
    const now = simNow();
    const time = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit" }).format(date);
    if (date.toDateString() === now.toDateString()) return `Today at ${time}`;
    const day = new Intl.DateTimeFormat("en-US", { month: "2-digit", day: "2-digit", year: "numeric" });
    return `${day.format(date)} ${time}`;
  }

  function channelMap(id) {
    if (!S.messages.has(id)) S.messages.set(id, new Map());
    return S.messages.get(id);
  }

  // -- state and the live feed ---------------------------------------------------------------

  async function refreshState() {
    S.pending = [];
    try {
      const data = await api("GET", `/api/state?viewer=${encodeURIComponent(S.viewer)}`);
      S.data = data;
      S.commands = flatten(data.commands);
      S.messages = new Map();
      for (const [channel, views] of Object.entries(data.messages)) {
        const map = channelMap(channel);
        for (const view of views) map.set(view.message.id, view);
      }
      if (!S.channel || !data.channels.some((c) => c.id === S.channel)) S.channel = data.channels[0].id;
      setClock(data.clock);
      renderChrome();
      renderMessages();
      const pending = S.pending;
      S.pending = null;
      for (const event of pending) apply(event);
      document.body.dataset.ready = "1";
    } catch (error) {
      S.pending = null;
      setConnection(false, error.message);
    }
  }

  function connect() {
    if (S.events) S.events.close();
    document.body.dataset.ready = "";
    const events = new EventSource(`/api/events?viewer=${encodeURIComponent(S.viewer)}`);
    events.onopen = () => {
      setConnection(true);
      refreshState(); // (re)connected: whatever happened meanwhile is in the state
    };
    events.onerror = () => setConnection(false);
    events.onmessage = (e) => {
      const event = JSON.parse(e.data);
      if (S.pending) S.pending.push(event);
      else apply(event);
    };
    events.addEventListener("reload", () => refreshState());
    S.events = events;
  }

  function setConnection(ok, why) {
    const node = $("connection");
    node.textContent = ok ? "connected to the local bot" : `disconnected${why ? `: ${why}` : ""}`;
    node.className = ok ? "connection ok" : "connection down";
  }

  function apply(event) {
    if (event.type === "notice") return notice(event.text);
    const message = event.message;
    const map = channelMap(message.channel_id);
    if (event.type === "delete") {
      map.delete(message.id);
      const node = findNode(message.id);
      if (node) node.remove();
      return;
    }
    const isNew = !map.has(message.id);
    map.set(message.id, { message, used: event.used });
    if (message.channel_id === S.channel) {
      const node = renderMessage({ message, used: event.used });
      const old = findNode(message.id);
      if (old) old.replaceWith(node);
      else {
        for (const empty of $("messages").querySelectorAll(".empty")) empty.remove();
        $("messages").append(node);
        node.scrollIntoView({ block: "end" });
      }
    } else if (isNew) {
      S.unread.add(message.channel_id);
      renderChannels();
    }
    refreshClock();
  }

  function findNode(id) {
    return $("messages").querySelector(`[data-id="${CSS.escape(id)}"]`);
  }

  function notice(text) {
    const close = el("button", "link-button", ["Dismiss"]);
    const node = el("div", "notice", [el("span", "", [text]), close]);
    close.addEventListener("click", () => node.remove());
    $("notices").append(node);
  }

  // -- the frame: server, channels, viewer -----------------------------------------------------

  function renderChrome() {
    const data = S.data;
    $("guild-name").textContent = data.guild.name;
    $("server-icon").title = data.guild.name;
    const select = $("viewer");
    select.replaceChildren(
      ...data.viewers.map((v) => {
        const option = el("option", "", [`${v.label} (${v.role})`]);
        option.value = v.key;
        option.selected = v.key === S.viewer;
        return option;
      }),
    );
    const me = data.viewers.find((v) => v.key === S.viewer);
    $("viewer-role").textContent = me ? roleHint(me) : "";
    renderChannels();
  }

  function roleHint(viewer) {
    return {
      member: "A member: reads and searches, cannot manage briefings.",
      admin: "Has Manage Server: may subscribe channels to briefings.",
      owner: "Owns the server and the bot: may also use /admin.",
    }[viewer.key] || viewer.role;
  }

  function renderChannels() {
    $("channels").replaceChildren(
      ...S.data.channels.map((c) => {
        const item = el("li", "", [el("span", "hash", ["#"]), c.name]);
        item.dataset.channel = c.id;
        item.tabIndex = 0;
        if (c.id === S.channel) item.classList.add("active");
        if (S.unread.has(c.id)) item.classList.add("unread");
        const open = () => {
          S.channel = c.id;
          S.unread.delete(c.id);
          renderChannels();
          renderMessages();
        };
        item.addEventListener("click", open);
        item.addEventListener("keydown", (e) => e.key === "Enter" && open());
        return item;
      }),
    );
    const current = S.data.channels.find((c) => c.id === S.channel);
    $("channel-name").textContent = current ? current.name : "";
    $("input").placeholder = current ? `Type / to use a command in #${current.name}` : "";
  }

  // -- messages --------------------------------------------------------------------------------

  function renderMessages() {
    const views = [...channelMap(S.channel).values()];
    const nodes = views.map(renderMessage);
    if (!nodes.length) nodes.push(el("p", "empty", ["No messages here yet. Type / to use a command."]));
    $("messages").replaceChildren(...nodes);
    $("messages").scrollTop = $("messages").scrollHeight;
  }

  function renderMessage(view) {
    const m = view.message;
    const flags = Number(m.flags || 0);
    const node = el("article", "message");
    node.dataset.id = m.id;
    if (flags & EPHEMERAL) node.classList.add("ephemeral");
    if (view.used) node.append(el("div", "used", ["↳ ", view.used]));
    const author = m.author || {};
    const name = author.bot ? S.data.bot.name : author.global_name || author.username || "someone";
    const meta = el("div", "meta", [
      el("span", "author", [name]),
      author.bot ? el("span", "bot-tag", ["APP"]) : null,
      el("time", "when", [when(m.timestamp)]),
      m.edited_timestamp ? el("span", "edited", ["(edited)"]) : null,
    ]);
    const body = el("div", "body", [meta]);
    if (flags & LOADING) {
      body.append(el("div", "thinking", [`${name} is thinking…`]));
    } else {
      if (m.content) body.append(el("div", "content", [md.render(m.content, mdContext())]));
      for (const embed of m.embeds || []) body.append(renderEmbed(embed));
      const rows = renderComponents(m);
      if (rows) body.append(rows);
    }
    if (flags & EPHEMERAL) {
      const dismiss = el("button", "link-button", ["Dismiss message"]);
      dismiss.addEventListener("click", () => node.remove());
      body.append(el("div", "ephemeral-note", [el("span", "eye"), "Only you can see this • ", dismiss]));
    }
    node.append(el("div", "avatar", [name.slice(0, 1).toUpperCase()]), body);
    return node;
  }

  function renderEmbed(e) {
    const ctx = mdContext();
    const box = el("div", "embed");
    if (e.color !== undefined && e.color !== null) {
      box.style.borderLeftColor = `#${Number(e.color).toString(16).padStart(6, "0")}`;
    }
    if (e.author && e.author.name) {
      const href = e.author.url && md.safeUrl(e.author.url);
      box.append(el("div", "embed-author", [href ? linkTo(href, e.author.name) : e.author.name]));
    }
    if (e.title) {
      const href = e.url && md.safeUrl(e.url);
      const title = md.inline(e.title, ctx);
      box.append(el("div", "embed-title", [href ? linkTo(href, title) : title]));
    }
    if (e.description) box.append(el("div", "embed-description", [md.render(e.description, ctx)]));
    if (e.fields && e.fields.length) box.append(renderFields(e.fields, ctx));
    if ((e.footer && e.footer.text) || e.timestamp) {
      const parts = [];
      if (e.footer && e.footer.text) parts.push(e.footer.text);
      if (e.timestamp) parts.push(when(e.timestamp));
      box.append(el("div", "embed-footer", [parts.join(" • ")]));
    }
    return box;
  }

  function linkTo(href, content) {
    const a = el("a", "md-link", [content]);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    return a;
  }

  function renderFields(fields, ctx) {
    // Discord puts up to three consecutive inline fields on one row.
    const grid = el("div", "embed-fields");
    let i = 0;
    while (i < fields.length) {
      let run = 1;
      if (fields[i].inline) while (run < 3 && i + run < fields.length && fields[i + run].inline) run++;
      for (let k = 0; k < run; k++) {
        const f = fields[i + k];
        const field = el("div", "embed-field", [
          el("div", "embed-field-name", [md.inline(f.name, ctx)]),
          el("div", "embed-field-value", [md.render(f.value, ctx)]),
        ]);
        field.style.gridColumn = `span ${12 / (f.inline ? run : 1)}`;
        grid.append(field);
      }
      i += run;
    }
    return grid;
  }

  function renderComponents(m) {
    const rows = (m.components || []).filter((r) => r.type === 1);
    if (!rows.length) return null;
    return el(
      "div",
      "components",
      rows.map((row) => el("div", "component-row", (row.components || []).map((c) => component(m, c)))),
    );
  }

  function component(m, c) {
    if (c.type === 2) return button(m, c);
    if (c.type === 3) return select(m, c);
    return el("span", "hint", ["(this kind of menu is not shown in the playground)"]);
  }

  function button(m, c) {
    const label = [c.emoji && c.emoji.name ? `${c.emoji.name} ` : "", c.label || ""].join("");
    const style = BUTTON_STYLES[c.style] || "secondary";
    if (c.style === 5) {
      const href = md.safeUrl(c.url || "");
      const a = el("a", `button ${style}`, [label, " ↗"]);
      if (href) {
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
      }
      return a;
    }
    const node = el("button", `button ${style}`, [label]);
    node.type = "button";
    node.disabled = Boolean(c.disabled);
    node.dataset.customId = c.custom_id;
    node.addEventListener("click", () => use(node, m, c.custom_id));
    return node;
  }

  function select(m, c) {
    const node = el("select", "select-menu");
    node.dataset.customId = c.custom_id;
    node.disabled = Boolean(c.disabled);
    const placeholder = el("option", "", [c.placeholder || "Make a selection"]);
    placeholder.value = "";
    placeholder.selected = true;
    placeholder.disabled = true;
    node.append(placeholder);
    for (const o of c.options || []) {
      const option = el("option", "", [o.description ? `${o.label} — ${o.description}` : o.label]);
      option.value = o.value;
      node.append(option);
    }
    node.addEventListener("change", () => use(node, m, c.custom_id, [node.value]));
    return node;
  }

  async function use(node, m, customId, values) {
    node.classList.add("loading");
    try {
      await api("POST", "/api/component", {
        viewer: S.viewer,
        message_id: m.id,
        custom_id: customId,
        values,
      });
    } catch (error) {
      notice(error.message);
    } finally {
      setTimeout(() => node.classList.remove("loading"), 1500);
    }
  }

  // -- the composer: commands and their options ------------------------------------------------

  function flatten(commands) {
    const out = [];
    const add = (name, item, root) =>
      out.push({
        name,
        description: item.description || "",
        options: (item.options || []).filter((o) => o.type !== 1 && o.type !== 2),
        permissions: root.default_member_permissions,
      });
    for (const c of commands) {
      if ((c.type || 1) !== 1) continue;
      const subs = (c.options || []).filter((o) => o.type === 1 || o.type === 2);
      if (!subs.length) add(c.name, c, c);
      for (const s of subs) {
        if (s.type === 1) add(`${c.name} ${s.name}`, s, c);
        for (const t of s.type === 2 ? s.options || [] : []) add(`${c.name} ${s.name} ${t.name}`, t, c);
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  function hiddenOnDiscord(command) {
    if (!command.permissions || !S.data) return false;
    const me = S.data.viewers.find((v) => v.key === S.viewer);
    const mine = BigInt(me ? me.permissions : "0");
    const needed = BigInt(command.permissions);
    return (mine & needed) !== needed;
  }

  function matches(query) {
    const q = query.trim().toLowerCase();
    const starts = S.commands.filter((c) => c.name.startsWith(q));
    const contains = S.commands.filter((c) => !c.name.startsWith(q) && c.name.includes(q));
    return [...starts, ...contains];
  }

  function showCommandList() {
    const value = $("input").value;
    const list = $("command-list");
    if (!value.startsWith("/") || S.command) {
      list.hidden = true;
      return;
    }
    const found = matches(value.slice(1));
    S.highlighted = Math.min(S.highlighted, Math.max(0, found.length - 1));
    list.replaceChildren(
      el("div", "popup-title", [found.length ? "Commands of Briefing Bot" : "No command matches"]),
      ...found.map((c, i) => {
        const item = el("button", "popup-item", [
          el("span", "command-name", [`/${c.name}`]),
          el("span", "hint", [c.description]),
          hiddenOnDiscord(c) ? el("span", "badge", ["hidden from you on Discord"]) : null,
        ]);
        item.type = "button";
        item.dataset.command = c.name;
        if (i === S.highlighted) item.classList.add("highlighted");
        item.addEventListener("click", () => pick(c));
        return item;
      }),
    );
    list.hidden = false;
  }

  function pick(command) {
    S.command = command;
    S.picked = {};
    $("command-list").hidden = true;
    $("input").hidden = true;
    $("command-chip").textContent = `/${command.name}`;
    $("command-description").textContent = hiddenOnDiscord(command)
      ? `${command.description} (Discord hides this command from you; the bot still checks)`
      : command.description;
    $("command-error").textContent = "";
    $("options").replaceChildren(...command.options.map(optionField));
    $("command-form").hidden = false;
    const first = $("options").querySelector("input, select");
    (first || $("command-send")).focus();
  }

  function cancel() {
    S.command = null;
    $("command-form").hidden = true;
    $("input").hidden = false;
    $("input").value = "";
    $("input").focus();
  }

  function optionField(o) {
    const label = el("label", "option-name", [o.name, o.required ? el("span", "required", ["*"]) : null]);
    const control = optionControl(o);
    control.id = `option-${o.name}`;
    control.dataset.option = o.name;
    label.htmlFor = control.id;
    const wrap = el("div", "option", [label, el("span", "hint", [o.description || ""]), control]);
    wrap.dataset.option = o.name;
    if (o.autocomplete) {
      const list = el("div", "popup choices");
      list.hidden = true;
      wrap.append(list);
      let timer = null;
      control.addEventListener("input", () => {
        delete S.picked[o.name];
        clearTimeout(timer);
        timer = setTimeout(() => suggest(o, control, list), 150);
      });
      control.addEventListener("focus", () => suggest(o, control, list));
    }
    control.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        send();
      } else if (e.key === "Escape") cancel();
    });
    return wrap;
  }

  function optionControl(o) {
    const choose = (items) => {
      const node = el("select");
      const none = el("option", "", [o.required ? "Pick one" : "—"]);
      none.value = "";
      node.append(none, ...items.map(([value, text]) => {
        const option = el("option", "", [text]);
        option.value = value;
        return option;
      }));
      return node;
    };
    if (o.choices && o.choices.length) return choose(o.choices.map((c) => [String(c.value), c.name]));
    if (o.type === 5) return choose([["true", "True"], ["false", "False"]]);
    if (o.type === 7) return choose(S.data.channels.map((c) => [c.id, `#${c.name}`]));
    const input = el("input");
    input.type = o.type === 4 || o.type === 10 ? "number" : "text";
    if (o.type === 4) input.step = "1";
    if (o.min_value !== undefined) input.min = o.min_value;
    if (o.max_value !== undefined) input.max = o.max_value;
    if (o.max_length) input.maxLength = o.max_length;
    input.autocomplete = "off";
    input.spellcheck = false;
    return input;
  }

  function currentValues() {
    const values = {};
    for (const control of $("options").querySelectorAll("[data-option]")) {
      if (control.tagName === "DIV") continue;
      const name = control.dataset.option;
      const option = S.command.options.find((o) => o.name === name);
      const raw = control.value;
      if (raw === "") continue;
      const picked = S.picked[name];
      if (picked && raw === picked.name) values[name] = picked.value;
      else if (option.type === 5) values[name] = raw === "true";
      else if (option.type === 4) values[name] = parseInt(raw, 10);
      else if (option.type === 10) values[name] = parseFloat(raw);
      else if (option.choices && option.choices.length && option.type !== 3) values[name] = Number(raw);
      else values[name] = raw;
    }
    return values;
  }

  async function suggest(o, control, list) {
    if (!S.command) return;
    const options = currentValues();
    options[o.name] = control.value;
    try {
      const data = await api("POST", "/api/autocomplete", {
        viewer: S.viewer,
        channel_id: S.channel,
        name: S.command.name,
        options,
        focused: o.name,
      });
      list.replaceChildren(
        ...data.choices.map((choice) => {
          const item = el("button", "popup-item", [choice.name]);
          item.type = "button";
          item.dataset.value = String(choice.value);
          item.addEventListener("mousedown", (e) => e.preventDefault());
          item.addEventListener("click", () => {
            control.value = choice.name;
            S.picked[o.name] = choice;
            list.hidden = true;
          });
          return item;
        }),
      );
      list.hidden = data.choices.length === 0;
    } catch (error) {
      list.replaceChildren(el("div", "error", [error.message]));
      list.hidden = false;
    }
  }

  async function send() {
    if (!S.command) return;
    $("command-error").textContent = "";
    try {
      await api("POST", "/api/command", {
        viewer: S.viewer,
        channel_id: S.channel,
        name: S.command.name,
        options: currentValues(),
      });
      cancel();
    } catch (error) {
      $("command-error").textContent = error.message;
    }
  }

  function onInputKey(e) {
    const list = $("command-list");
    const items = [...list.querySelectorAll(".popup-item")];
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      S.highlighted = (S.highlighted + step + items.length) % items.length;
      showCommandList();
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      const chosen = S.commands.find((c) => c.name === items[S.highlighted].dataset.command);
      if (chosen) pick(chosen);
    } else if (e.key === "Escape") {
      list.hidden = true;
    }
  }

  // -- the clock ---------------------------------------------------------------------------------

  function setClock(clock) {
    S.clock = clock;
    S.clockAt = performance.now();
    renderClock();
  }

  function renderClock() {
    if (!S.clock) return;
    const f = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium" });
    $("clock-now").textContent = f.format(simNow());
    $("clock-next").textContent = S.clock.next_due
      ? f.format(new Date(S.clock.next_due))
      : "none (subscribe a channel with /briefing subscribe)";
    $("advance").disabled = !S.clock.next_due;
  }

  let clockTimer = null;
  function refreshClock() {
    clearTimeout(clockTimer);
    clockTimer = setTimeout(async () => {
      try {
        setClock(await api("GET", "/api/clock"));
      } catch (error) {
        /* the connection line says it */
      }
    }, 200);
  }

  async function advance() {
    const status = $("clock-status");
    try {
      const result = await api("POST", "/api/clock/next");
      setClock(result.clock);
      status.textContent = result.jumped_to
        ? `Jumped to ${new Date(result.jumped_to).toLocaleString("en-US")}: the briefing is being posted.`
        : "No briefing is scheduled: subscribe a channel with /briefing subscribe first.";
    } catch (error) {
      status.textContent = error.message;
    }
  }

  // -- the content editor --------------------------------------------------------------------

  async function loadSections() {
    try {
      const data = await api("GET", "/api/sections");
      const select = $("section-select");
      const chosen = select.value;
      select.replaceChildren(
        el("option", "", ["Pick a section…"]),
        ...data.sections.map((s) => {
          const option = el("option", "", [`${"  ".repeat(s.level - 1)}${s.heading}`]);
          option.value = s.key;
          return option;
        }),
      );
      select.firstChild.value = "";
      select.value = chosen;
    } catch (error) {
      $("section-status").textContent = error.message;
    }
  }

  async function openSection() {
    const key = $("section-select").value;
    $("section-text").value = "";
    $("section-status").textContent = "";
    if (!key) return;
    try {
      const data = await api("GET", `/api/section?key=${encodeURIComponent(key)}`);
      $("section-text").value = data.text;
    } catch (error) {
      $("section-status").textContent = error.message;
    }
  }

  async function saveSection() {
    const key = $("section-select").value;
    if (!key) return;
    try {
      await api("PUT", "/api/section", { key, text: $("section-text").value });
      $("section-status").textContent =
        "Saved in the playground's copy. Switch to Sam (owner) and run /admin reload to serve it.";
    } catch (error) {
      $("section-status").textContent = error.message;
    }
  }

  // -- start -----------------------------------------------------------------------------------

  function start() {
    $("input").addEventListener("input", () => {
      S.highlighted = 0;
      showCommandList();
    });
    $("input").addEventListener("keydown", onInputKey);
    $("command-cancel").addEventListener("click", cancel);
    $("command-send").addEventListener("click", send);
    $("viewer").addEventListener("change", () => {
      S.viewer = $("viewer").value;
      if (S.command) cancel();
      connect();
    });
    $("advance").addEventListener("click", advance);
    $("section-select").addEventListener("change", openSection);
    $("section-select").addEventListener("focus", loadSections);
    $("section-save").addEventListener("click", saveSection);
    setInterval(renderClock, 1000);
    loadSections();
    connect();
  }

  start();
})();
